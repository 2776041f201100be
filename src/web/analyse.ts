// One image through the demo, stage by stage (the same engine calls as the Node path, split so each
// stage can be timed): decode → detect (tiny face detector) → landmarks (68-point net) → score
// (K seeded discrepancies per face) → draw (render pipeline). Every stage that runs on the GPU reads
// its result back, so its time is the real one.
import { cropRect, detectBoxes, landmarksForCrops, type FaceModels } from '../models/face/index.ts';
import { detectedFace, fileKey, scoreFaces, worstFace, type Detector, type FaceResult, type FaceToScore } from '../seeable/face-scoring.ts';
import type { RgbImage } from '../seeable/image.ts';
import { decodeImageBlob } from './decode.ts';

export const STAGES = ['decode', 'detect', 'landmarks', 'score', 'draw'] as const;
export type Stage = (typeof STAGES)[number];

export interface Analysis {
  file: string;
  key: number;
  image: RgbImage;
  faces: (FaceResult & { lm: Float64Array })[];
  /** the image's score: its most anomalous face (null without a face) */
  score: number | null;
  fake: boolean | null;
  ms: Partial<Record<Stage, number>>;
}

async function timed<T>(ms: Analysis['ms'], stage: Stage, f: () => Promise<T> | T, onStage?: (s: Stage) => void): Promise<T> {
  onStage?.(stage);
  const t0 = performance.now();
  const out = await f();
  ms[stage] = performance.now() - t0;
  return out;
}

/** Decode, find and score every face of one image file (drawing is the caller's last stage). */
export async function analyse(blob: Blob, name: string, det: Detector, models: FaceModels, onStage?: (s: Stage) => void): Promise<Analysis> {
  const ms: Analysis['ms'] = {};
  const image = await timed(ms, 'decode', () => decodeImageBlob(blob), onStage);
  // detectFaces() of src/models/face, in its two stages
  const boxes = await timed(ms, 'detect', async () =>
    (await detectBoxes(image, models.detector))
      .map((d) => ({ ...d, crop: cropRect(d.box, image.width, image.height) }))
      .filter((d) => d.crop !== null), onStage);
  const found: FaceToScore[] = await timed(ms, 'landmarks', async () => {
    const marks = await landmarksForCrops(image, boxes.map((d) => d.crop!), models.landmarks);
    return boxes.map((d, i) => detectedFace({ box: d.box, landmarks68: marks[i] }));
  }, onStage);
  const key = fileKey(name);
  const scored = await timed(ms, 'score', () => scoreFaces(det, image, found, key), onStage);
  const faces = scored.map((s, i) => ({ ...s, lm: found[i].lm }));
  const worst = faces.length ? worstFace(faces) : null;
  return {
    file: name, key, image, faces, ms,
    score: worst?.score ?? null,
    fake: worst === null || det.threshold === null ? null : worst.score > det.threshold,
  };
}
