// Scoring faces of a decoded image with a trained detector: the platform-free core that both the
// Node path (detector.ts: files, landmarks.json, `seeable score`) and the browser demo (src/web) run,
// so that one image gives one score in both. Each face: test crop → K seeded discrepancies → score.
import type { LoadedCheckpoint } from '../io/checkpoint-state.ts';
import { loadModelState } from '../io/checkpoint-state.ts';
import { sdFace } from './batches.ts';
import type { SeeableConfig } from './config.ts';
import { prepareFace } from './crop.ts';
import { gpuRenderer } from './gpu-render.ts';
import type { RgbImage } from './image.ts';
import type { Landmarks } from './landmarks.ts';
import { scoreKey, scoreOne, type ScoreContext } from './scorer.ts';
import { buildSeeable, type SeeableParts } from './setup.ts';

export interface Detector {
  cfg: SeeableConfig;
  parts: SeeableParts;
  ctx: ScoreContext;
  /** decision threshold calibrated on the one-class validation (scores above it are called fake) */
  threshold: number | null;
  checkpoint: string;
}

export type DetectorOverrides = Partial<Pick<SeeableConfig, 'scoreVariant' | 'alpha'>>;

/** Build the network and scoring context of a loaded checkpoint (weights uploaded, eval mode). */
export function detectorFromCheckpoint(ck: LoadedCheckpoint, overrides: DetectorOverrides = {}): Detector {
  const cfg = { ...(ck.meta.info.config as SeeableConfig), ...overrides };
  if (!cfg || typeof cfg.backbone !== 'string') throw new Error(`${ck.path}: has no SeeABLE config (not a seeable train checkpoint?)`);
  const protos = ck.tensors.get('extra.prototypes');
  if (!protos) throw new Error(`${ck.path}: has no prototypes`);
  const parts = buildSeeable(cfg, { prototypes: Float32Array.from(protos.data) });
  loadModelState(parts.net, ck);
  parts.net.eval();
  const ctx: ScoreContext = { net: parts.net, prototypes: parts.prototypesHost, sd: parts.sd, renderer: gpuRenderer, variant: cfg.scoreVariant, alpha: cfg.alpha, seed: cfg.seed, pristine: parts.pristine };
  // The calibrated threshold belongs to the checkpoint's variant; another variant uses its own, when
  // recorded. All were calibrated at the checkpoint's α, so a norm-cos score at another α has none.
  const saved = ck.meta.info.config as SeeableConfig;
  const byVariant = ck.meta.info.thresholds as Record<string, number> | null | undefined;
  const key = scoreKey(cfg.scoreVariant, cfg.alpha);
  const calibrated = key !== 'norm-cos' || cfg.alpha === saved.alpha;
  const recorded = !calibrated ? null : byVariant?.[key] ?? (key === scoreKey(saved.scoreVariant, saved.alpha) ? ck.meta.info.threshold : null);
  const threshold = typeof recorded === 'number' ? recorded : null;
  return { cfg, parts, ctx, threshold, checkpoint: ck.path };
}

/** A face to score: its 68 landmarks, and the detector's box when it came from the detector. */
export interface FaceToScore {
  /** [x0, y0, x1, y1] in image pixels; null for landmarks from landmarks.json */
  box: [number, number, number, number] | null;
  lm: Landmarks;
}

export interface FaceResult {
  /** the detected box [x0, y0, x1, y1] in image pixels (null for landmarks from landmarks.json) */
  box: [number, number, number, number] | null;
  score: number;
  perLocation: number[];
}

/** Score every face; face i draws its discrepancies from the stream `key + i`. */
export async function scoreFaces(det: Detector, img: RgbImage, faces: readonly FaceToScore[], key: number): Promise<FaceResult[]> {
  const scored: FaceResult[] = [];
  for (const [i, f] of faces.entries()) {
    const p = prepareFace(img, f.lm, { size: det.cfg.size, phase: 'test' });
    const s = await scoreOne(det.ctx, { ...sdFace(p, det.cfg.size) }, key + i);
    scored.push({ box: f.box, score: s.score, perLocation: s.perLocation });
  }
  return scored;
}

/** A face-api style detection as a face to score. */
export function detectedFace(f: { box: { x: number; y: number; width: number; height: number }; landmarks68: readonly (readonly [number, number])[] }): FaceToScore {
  return { box: [f.box.x, f.box.y, f.box.x + f.box.width, f.box.y + f.box.height], lm: Float64Array.from(f.landmarks68.flat()) };
}

/** The image's result: its most anomalous face. */
export function worstFace<T extends FaceResult>(scored: readonly T[]): T {
  return scored.reduce((a, b) => (b.score > a.score ? b : a));
}

/** A stable per-file key, so that a file's discrepancies (and score) do not depend on the order. */
export function fileKey(file: string): number {
  let h = 2166136261;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 16777619) >>> 0;
  return h;
}
