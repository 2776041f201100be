// A trained detector loaded from a checkpoint, and scoring of image folders (Node: file I/O).
// Faces need 68 landmarks: from the folder's landmarks.json, else from our face detector and
// landmark net (src/models/face). An image without a usable face is reported, never dropped.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadCheckpoint, loadModelState } from '../io/checkpoint.ts';
import { decodeImage } from '../io/images.ts';
import type { SeeableConfig } from './config.ts';
import { prepareFace } from './crop.ts';
import { sdFace } from './batches.ts';
import { gpuRenderer } from './gpu-render.ts';
import { parseLandmarks68, type Landmarks } from './landmarks.ts';
import { scoreOne, type ScoreContext, type ScoredFace } from './scorer.ts';
import { buildSeeable, type SeeableParts } from './setup.ts';
import { detectFaces, type FaceModels } from '../models/face/index.ts';
import { loadFaceModels } from '../io/face-weights.ts';

export interface Detector {
  cfg: SeeableConfig;
  parts: SeeableParts;
  ctx: ScoreContext;
  /** decision threshold calibrated on the one-class validation (scores above it are called fake) */
  threshold: number | null;
  checkpoint: string;
}

export function loadDetector(path: string, overrides: Partial<Pick<SeeableConfig, 'scoreVariant' | 'alpha'>> = {}): Detector {
  const ck = loadCheckpoint(path);
  const cfg = { ...(ck.meta.info.config as SeeableConfig), ...overrides };
  if (!cfg || typeof cfg.backbone !== 'string') throw new Error(`${ck.path}: has no SeeABLE config (not a seeable train checkpoint?)`);
  const protos = ck.tensors.get('extra.prototypes');
  if (!protos) throw new Error(`${ck.path}: has no prototypes`);
  const parts = buildSeeable(cfg, { prototypes: Float32Array.from(protos.data) });
  loadModelState(parts.net, ck);
  parts.net.eval();
  const ctx: ScoreContext = { net: parts.net, prototypes: parts.prototypesHost, sd: parts.sd, renderer: gpuRenderer, variant: cfg.scoreVariant, alpha: cfg.alpha, seed: cfg.seed };
  const threshold = typeof ck.meta.info.threshold === 'number' ? ck.meta.info.threshold : null;
  return { cfg, parts, ctx, threshold, checkpoint: ck.path };
}

export interface FaceResult {
  /** the detected box [x0, y0, x1, y1] in image pixels (null for landmarks from landmarks.json) */
  box: [number, number, number, number] | null;
  score: number;
  perLocation: number[];
}

export interface ImageResult {
  file: string;
  path: string;
  /** the image's score: its most anomalous face; null when no face could be scored (see `error`) */
  score: number | null;
  fake: boolean | null;
  perLocation: number[] | null;
  /** where the 68 landmarks came from */
  landmarks?: 'file' | 'detector';
  /** every face scored (several when the detector found several) */
  faces?: FaceResult[];
  error?: string;
}

let faceModels: FaceModels | null = null;
/** Our tiny face detector + 68-point landmark net (weights/), loaded on first use. */
function faces(): FaceModels {
  return (faceModels ??= loadFaceModels());
}

const landmarkCache = new Map<string, Record<string, unknown> | null>();
/** The file's entry in the landmarks.json beside it, or null when there is none. */
function landmarksFromFile(path: string): Landmarks | null {
  const dir = dirname(path);
  if (!landmarkCache.has(dir)) {
    const p = join(dir, 'landmarks.json');
    landmarkCache.set(dir, existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);
  }
  const raw = landmarkCache.get(dir)?.[basename(path)];
  return raw === undefined ? null : parseLandmarks68(raw);
}

/**
 * Score an image: with its landmarks.json entry when there is one, else every face our detector
 * finds (the image scores as its most anomalous face). No face → an error entry, never a drop.
 */
export async function scoreImage(det: Detector, path: string, key: number, opts: { detect?: 'auto' | 'always' } = {}): Promise<ImageResult> {
  const file = basename(path);
  try {
    const img = await decodeImage(path);
    const fromFile = opts.detect === 'always' ? null : landmarksFromFile(path);
    const found: { box: FaceResult['box']; lm: Landmarks }[] = fromFile
      ? [{ box: null, lm: fromFile }]
      : (await detectFaces(img, faces())).map((f) => ({ box: [f.box.x, f.box.y, f.box.x + f.box.width, f.box.y + f.box.height] as [number, number, number, number], lm: Float64Array.from(f.landmarks68.flat()) }));
    if (!found.length) throw new Error('no face found (no landmarks.json entry, and the face detector found none)');
    const scored: FaceResult[] = [];
    for (const [i, f] of found.entries()) {
      const p = prepareFace(img, f.lm, { size: det.cfg.size, phase: 'test' });
      const s: ScoredFace = await scoreOne(det.ctx, { ...sdFace(p, det.cfg.size) }, key + i);
      scored.push({ box: f.box, score: s.score, perLocation: s.perLocation });
    }
    const worst = scored.reduce((a, b) => (b.score > a.score ? b : a));
    return {
      file, path, score: worst.score, fake: det.threshold === null ? null : worst.score > det.threshold,
      perLocation: worst.perLocation, landmarks: fromFile ? 'file' : 'detector', faces: scored,
    };
  } catch (e) {
    return { file, path, score: null, fake: null, perLocation: null, error: `${path}: ${(e as Error).message}` };
  }
}

/** A stable per-file key, so that a file's discrepancies (and score) do not depend on the order. */
export function fileKey(file: string): number {
  let h = 2166136261;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 16777619) >>> 0;
  return h;
}
