// A trained detector loaded from a checkpoint, and scoring of image files (Node: file I/O).
// Faces need 68 landmarks: from the folder's landmarks.json, else from our face detector and
// landmark net (src/models/face). An image without a usable face is reported, never dropped.
// The scoring itself is face-scoring.ts, which the browser demo runs too.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { loadCheckpoint } from '../io/checkpoint.ts';
import { decodeImage } from '../io/images.ts';
import { parseLandmarks68, type Landmarks } from './landmarks.ts';
import { detectedFace, detectorFromCheckpoint, scoreFaces, worstFace, type Detector, type DetectorOverrides, type FaceResult, type FaceToScore } from './face-scoring.ts';
import { detectFaces, type FaceModels } from '../models/face/index.ts';
import { loadFaceModels } from '../io/face-weights.ts';

export { detectorFromCheckpoint, fileKey, scoreFaces, type Detector, type FaceResult } from './face-scoring.ts';

export function loadDetector(path: string, overrides: DetectorOverrides = {}): Detector {
  return detectorFromCheckpoint(loadCheckpoint(path), overrides);
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
/** Our tiny face detector (the SSD where it finds no face) + 68-point landmark net (weights/), loaded on first use. */
function faces(): FaceModels {
  return (faceModels ??= loadFaceModels(undefined, 'tiny+ssd'));
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
    const found: FaceToScore[] = fromFile ? [{ box: null, lm: fromFile }] : (await detectFaces(img, faces())).map(detectedFace);
    if (!found.length) throw new Error('no face found (no landmarks.json entry, and the face detector found none)');
    const scored = await scoreFaces(det, img, found, key);
    const worst = worstFace(scored);
    return {
      file, path, score: worst.score, fake: det.threshold === null ? null : worst.score > det.threshold,
      perLocation: worst.perLocation, landmarks: fromFile ? 'file' : 'detector', faces: scored,
    };
  } catch (e) {
    return { file, path, score: null, fake: null, perLocation: null, error: `${path}: ${(e as Error).message}` };
  }
}
