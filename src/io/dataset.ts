// A split folder (images + landmarks.json, see ../shared/data/README.md), validated up front.
// Every image and landmark entry is checked before use; a bad one is reported with its file name
// and reason and left out, never dropped silently. The caller prints `skipped` at the end.
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { decodeImage } from './images.ts';
import { landmarkBox, parseLandmarks68, type Landmarks } from '../seeable/landmarks.ts';

export interface FaceEntry {
  /** absolute or caller-relative path of the image */
  path: string;
  file: string;
  width: number;
  height: number;
  landmarks: Landmarks;
  /** true when some point lies outside the image but within the tolerance */
  nearEdge: boolean;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface SplitData {
  dir: string;
  entries: FaceEntry[];
  skipped: SkippedFile[];
}

export interface ReadSplitOptions {
  /**
   * How far (fraction of the image's longer side) a landmark may lie outside the image and still be
   * accepted: the 300-W crops were clipped, so a few chin points sit up to ~5 px outside.
   */
  outsideTolerance?: number;
  /** Decode every image fully (finds truncated/corrupt files); false reads headers only. Default true. */
  decode?: boolean;
  /** Keep only these file names (after listing), e.g. the first N for a quick run. */
  limit?: number;
  /** Called after each file with (done, total). */
  progress?: (done: number, total: number) => void;
}

const IMAGE_EXT = /\.(jpe?g|png)$/i;

/** Read and validate one split folder. Throws only when the folder or its landmarks.json is unusable. */
export async function readSplit(dir: string, opts: ReadSplitOptions = {}): Promise<SplitData> {
  const tol = opts.outsideTolerance ?? 0.05;
  const decode = opts.decode ?? true;
  let names: string[];
  try {
    names = (await readdir(dir)).filter((f) => IMAGE_EXT.test(f)).sort();
  } catch (e) {
    throw new Error(`Cannot list split folder ${dir}: ${(e as Error).message}`);
  }
  const lmPath = join(dir, 'landmarks.json');
  let table: Record<string, unknown>;
  try {
    table = JSON.parse(await readFile(lmPath, 'utf8'));
  } catch (e) {
    throw new Error(`Cannot read ${lmPath}: ${(e as Error).message}`);
  }
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw new Error(`${lmPath}: expected an object {"<file>": [[x, y] × 68]}`);
  }
  if (opts.limit !== undefined) names = names.slice(0, opts.limit);

  const entries: FaceEntry[] = [];
  const skipped: SkippedFile[] = [];
  const nameSet = new Set(names);
  if (opts.limit === undefined) {
    for (const key of Object.keys(table)) {
      if (!nameSet.has(key)) skipped.push({ file: key, reason: 'has landmarks in landmarks.json but no image file' });
    }
  }

  let done = 0;
  const one = async (file: string): Promise<void> => {
    const path = join(dir, file);
    const result = await checkOne(path, file, table[file], tol, decode);
    if ('reason' in result) skipped.push(result);
    else entries.push(result);
    opts.progress?.(++done, names.length);
  };
  // Two at a time: sharp decodes off the main thread; more only contends for the 2 cores.
  for (let i = 0; i < names.length; i += 2) await Promise.all(names.slice(i, i + 2).map(one));
  entries.sort((a, b) => (a.file < b.file ? -1 : 1));
  skipped.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { dir, entries, skipped };
}

async function checkOne(
  path: string, file: string, raw: unknown, tol: number, decode: boolean,
): Promise<FaceEntry | SkippedFile> {
  const skip = (reason: string): SkippedFile => ({ file, reason });
  if (raw === undefined) return skip('no entry in landmarks.json');
  let landmarks: Landmarks;
  try {
    landmarks = parseLandmarks68(raw);
  } catch (e) {
    return skip(`malformed landmarks: ${(e as Error).message}`);
  }
  let width: number;
  let height: number;
  try {
    if (decode) {
      ({ width, height } = await decodeImage(path));
    } else {
      const sharp = (await import('sharp')).default;
      const meta = await sharp(path).metadata();
      if (!meta.width || !meta.height) throw new Error('no image size in the header');
      ({ width, height } = meta);
    }
  } catch (e) {
    return skip(`unreadable image: ${firstLine((e as Error).message)}`);
  }
  const box = landmarkBox(landmarks);
  if (box.x1 - box.x0 < 4 || box.y1 - box.y0 < 4) {
    return skip(`degenerate landmarks: their box is ${(box.x1 - box.x0).toFixed(1)}×${(box.y1 - box.y0).toFixed(1)} px`);
  }
  const margin = tol * Math.max(width, height);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < 68; i++) {
    const x = landmarks[2 * i];
    const y = landmarks[2 * i + 1];
    const out = Math.max(-x, -y, x - (width - 1), y - (height - 1));
    if (out > worst) (worst = out), (worstAt = i);
  }
  if (worst > margin) {
    return skip(
      `landmark ${worstAt} (${landmarks[2 * worstAt].toFixed(1)}, ${landmarks[2 * worstAt + 1].toFixed(1)}) lies ` +
        `${worst.toFixed(1)} px outside the ${width}×${height} image (tolerance ${margin.toFixed(1)} px)`,
    );
  }
  return { path, file: basename(file), width, height, landmarks, nearEdge: worst > 0 };
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** A human-readable list of what was skipped, for the end of a run. */
export function formatSkipped(split: string, skipped: readonly SkippedFile[]): string {
  if (skipped.length === 0) return `${split}: nothing skipped`;
  return [`${split}: ${skipped.length} skipped`, ...skipped.map((s) => `  ${s.file}: ${s.reason}`)].join('\n');
}
