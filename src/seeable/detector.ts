// A trained detector loaded from a checkpoint, and scoring of image folders (Node: file I/O).
// Faces need 68 landmarks: from the folder's landmarks.json. A face without them is reported,
// never silently dropped.
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

export interface ImageResult {
  file: string;
  path: string;
  /** null when the face could not be scored (see `error`) */
  score: number | null;
  fake: boolean | null;
  perLocation: number[] | null;
  error?: string;
}

const landmarkCache = new Map<string, Record<string, unknown> | null>();
function landmarksFor(path: string): Landmarks {
  const dir = dirname(path);
  if (!landmarkCache.has(dir)) {
    const p = join(dir, 'landmarks.json');
    landmarkCache.set(dir, existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);
  }
  const table = landmarkCache.get(dir);
  if (!table) throw new Error(`no landmarks.json beside it (68-point landmarks are needed to place the discrepancies)`);
  const raw = table[basename(path)];
  if (raw === undefined) throw new Error('no landmark entry in landmarks.json (no face found when the landmarks were made)');
  return parseLandmarks68(raw);
}

export async function scoreImage(det: Detector, path: string, key: number): Promise<ImageResult> {
  const file = basename(path);
  try {
    const lm = landmarksFor(path);
    const img = await decodeImage(path);
    const p = prepareFace(img, lm, { size: det.cfg.size, phase: 'test' });
    const s: ScoredFace = await scoreOne(det.ctx, { ...sdFace(p, det.cfg.size) }, key);
    return { file, path, score: s.score, fake: det.threshold === null ? null : s.score > det.threshold, perLocation: s.perLocation };
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
