// Face detection + 68-point landmarks on our kernels, face-api.js's pipeline (detectAllFaces(…,
// TinyFaceDetectorOptions).withFaceLandmarks()): detect on the image padded (bottom/right) to a square
// and resized to inputSize²; crop each box clipped to the image and floored; landmarks on the crop
// padded (centred) to a square and resized to 112²; map back to image pixels.
// One departure: face-api shifts the crop's landmarks by the unclipped, unfloored detection box's
// corner, we by the crop's own corner (where the crop really starts: up to 1 px apart, more for boxes
// that stick out of the image).
import { tensor } from '../../tensor/create.ts';
import { LANDMARK_INPUT, type FaceLandmark68Net } from './landmarks68.ts';
import type { Box } from './nms.ts';
import { squareInput, type PixelRect, type RgbPixels } from './preprocess.ts';
import { detectBoxesSsd, SsdMobilenetV1 } from './ssd-mobilenet.ts';
import { decodeTinyHead, TINY_IOU_THRESHOLD, type TinyFaceDetector } from './tiny-detector.ts';

export { FaceLandmark68Net, LANDMARK_INPUT } from './landmarks68.ts';
export { TinyFaceDetector, decodeTinyHead, TINY_ANCHORS } from './tiny-detector.ts';
export { nonMaxSuppression, iou, type Box } from './nms.ts';
export { squareInput, type RgbPixels, type PixelRect } from './preprocess.ts';
export { SsdMobilenetV1, detectBoxesSsd, SSD_INPUT } from './ssd-mobilenet.ts';

/** Which face detector: face-api's tiny one, its SSD MobileNet-V1, or the tiny one with the SSD run
 *  only on images where it finds no face (the two miss different faces: bench/README.md). */
export type FaceDetectorKind = 'tiny' | 'ssd' | 'tiny+ssd';
export const FACE_DETECTORS: readonly FaceDetectorKind[] = ['tiny', 'ssd', 'tiny+ssd'];

export interface FaceModels {
  /** the tiny detector (default) or SSD MobileNet-V1 (~30× the compute, no more faces found on val: bench/README.md) */
  detector: TinyFaceDetector | SsdMobilenetV1;
  /** run when `detector` finds no face (tiny+ssd) */
  fallback?: SsdMobilenetV1 | null;
  landmarks: FaceLandmark68Net;
}

/**
 * Detector input side. face-api's default is 416, but on this project's data (tight 300-W crops,
 * LFW 250²) 224 finds more faces: val, first 100: 98 % vs 63 %; LFW 100: 93 % vs 88 %
 * (bench/faces.ts; bench/results/faces-val-*.json), with the same landmark error.
 */
export const DEFAULT_INPUT_SIZE = 224;

export interface DetectOptions {
  /** tiny detector's input side, a multiple of 32 (default DEFAULT_INPUT_SIZE); the SSD always sees 512² */
  inputSize?: number;
  /** face-api's default 0.5 */
  scoreThreshold?: number;
  iouThreshold?: number;
}

export interface DetectedFace {
  /** image pixels, as detected (may stick out of the image) */
  box: Box;
  score: number;
  /** the pixels the landmark net saw: the box clipped to the image, floored */
  crop: PixelRect;
  /** 68 (x, y) in image pixels, iBUG order */
  landmarks68: [number, number][];
}

/** The box clipped to the image and floored (face-api's Box.clipAtImageBorders); null if empty. */
export function cropRect(box: Box, width: number, height: number): PixelRect | null {
  const x = Math.max(box.x, 0), y = Math.max(box.y, 0);
  const w = Math.min(box.x + box.width - x, width - x), h = Math.min(box.y + box.height - y, height - y);
  const r = { x: Math.floor(x), y: Math.floor(y), width: Math.floor(w), height: Math.floor(h) };
  return r.width > 0 && r.height > 0 ? r : null;
}

/** Boxes (image pixels) with scores, best first, from either detector. */
export async function detectBoxes(img: RgbPixels, detector: TinyFaceDetector | SsdMobilenetV1, o: DetectOptions = {}): Promise<{ box: Box; score: number }[]> {
  if (detector instanceof SsdMobilenetV1) return detectBoxesSsd(img, detector, { scoreThreshold: o.scoreThreshold });
  const size = o.inputSize ?? DEFAULT_INPUT_SIZE;
  const sq = squareInput(img, { x: 0, y: 0, width: img.width, height: img.height }, size, false);
  const x = tensor(sq.chw, [1, 3, size, size]);
  let head: Float32Array, cells: number;
  try {
    const y = detector.forward(x);
    cells = y.shape[2];
    head = await y.readF32();
    y.dispose();
  } finally {
    x.dispose();
  }
  const s = size / Math.max(img.width, img.height);
  const resized = { width: Math.round(img.width * s), height: Math.round(img.height * s) };
  return decodeTinyHead(head, cells, size, resized, o.scoreThreshold ?? 0.5, o.iouThreshold ?? TINY_IOU_THRESHOLD).map((d) => ({
    score: d.score,
    box: { x: d.box.x * img.width, y: d.box.y * img.height, width: d.box.width * img.width, height: d.box.height * img.height },
  }));
}

/** 68 landmarks (image pixels) for each crop rect, one batched forward. */
export async function landmarksForCrops(img: RgbPixels, crops: readonly PixelRect[], net: FaceLandmark68Net): Promise<[number, number][][]> {
  if (!crops.length) return [];
  const n = LANDMARK_INPUT, plane = 3 * n * n;
  const batch = new Float32Array(crops.length * plane);
  crops.forEach((c, i) => batch.set(squareInput(img, c, n, true).chw, i * plane));
  const x = tensor(batch, [crops.length, 3, n, n]);
  let out: Float32Array;
  try {
    const y = net.forward(x);
    out = await y.readF32();
    y.dispose();
  } finally {
    x.dispose();
  }
  return crops.map((c, i) => {
    // face-api's postProcess: undo the centred padding in the 112² frame, relative to the crop.
    const s = n / Math.max(c.width, c.height);
    const w = c.width * s, h = c.height * s;
    const padX = w < h ? Math.abs(w - h) / 2 : 0, padY = h < w ? Math.abs(w - h) / 2 : 0;
    return Array.from({ length: 68 }, (_, k): [number, number] => [
      c.x + ((out[i * 136 + 2 * k] * n - padX) / w) * c.width,
      c.y + ((out[i * 136 + 2 * k + 1] * n - padY) / h) * c.height,
    ]);
  });
}

/** Every face: box, score and 68 landmarks, best score first. */
export async function detectFaces(img: RgbPixels, models: FaceModels, o: DetectOptions = {}): Promise<DetectedFace[]> {
  let boxes = await detectBoxes(img, models.detector, o);
  if (!boxes.length && models.fallback) boxes = await detectBoxes(img, models.fallback, o);
  const found = boxes
    .map((d) => ({ ...d, crop: cropRect(d.box, img.width, img.height) }))
    .filter((d): d is { box: Box; score: number; crop: PixelRect } => d.crop !== null);
  const marks = await landmarksForCrops(img, found.map((d) => d.crop), models.landmarks);
  return found.map((d, i) => ({ ...d, landmarks68: marks[i] }));
}
