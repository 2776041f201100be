// Box decoding and NMS of face-api.js's SSD MobileNet-V1 (its outputLayer + locateFaces), on the host.
// Per anchor (ymin, xmin, ymax, xmax) with size (h, w) and centre (cy, cx), offsets t:
//   centre = (t0/10·h + cy, t1/10·w + cx); half size = (exp(t2/5)·h/2, exp(t3/5)·w/2);
//   score = σ(class logit 1) (0 is the background, 2 unused), rounded to f32 like face-api's tensor.
// Then: scores > minConfidence, greedy NMS at IoU 0.5 (best first; on equal scores the lower anchor
// index first, as face-api's SSD NMS), at most maxResults; each box clipped to [0, 1] of the 512²
// square and scaled by 512 / (the image's resized extent) so that it is relative to the image.
import { nonMaxSuppression, type Box } from './nms.ts';

export const SSD_IOU_THRESHOLD = 0.5;

export interface SsdDecodeOptions {
  /** face-api's minConfidence, default 0.5 */
  scoreThreshold?: number;
  /** default 100 */
  maxResults?: number;
}

/** Anchor j of a head [anchors, 7]: its box (relative to the 512² square, unclipped) and face score. */
export function decodeSsdAnchor(head: Float32Array, anchors: Float32Array, j: number): { box: Box; score: number } {
  const [a0, a1, a2, a3] = anchors.subarray(j * 4, j * 4 + 4);
  const h = a2 - a0, w = a3 - a1, cy = a0 + h / 2, cx = a1 + w / 2;
  const t = head.subarray(j * 7, j * 7 + 4);
  const y = (t[0] / 10) * h + cy, x = (t[1] / 10) * w + cx;
  const hh = (Math.exp(t[2] / 5) * h) / 2, hw = (Math.exp(t[3] / 5) * w) / 2;
  return { box: { x: x - hw, y: y - hh, width: 2 * hw, height: 2 * hh }, score: Math.fround(1 / (1 + Math.exp(-head[j * 7 + 5]))) };
}

/**
 * One image's head [anchors, 7] (forward()'s output, host copy) → detections relative to the image.
 * `resized` is the image's extent inside the 512² input (round(w·512/max), round(h·512/max)).
 */
export function decodeSsdHead(head: Float32Array, anchors: Float32Array, inputSize: number, resized: { width: number; height: number },
  o: SsdDecodeOptions = {}): { box: Box; score: number }[] {
  const n = anchors.length / 4;
  if (head.length !== n * 7) throw new Error(`decodeSsdHead: ${head.length} values for ${n} anchors × 7`);
  const minScore = o.scoreThreshold ?? 0.5, maxResults = o.maxResults ?? 100;
  // Candidates listed from the highest anchor index down: nonMaxSuppression's stable ascending sort
  // then pops the lowest index first among equal scores.
  const boxes: Box[] = [], scores: number[] = [];
  for (let j = n - 1; j >= 0; j--) {
    const d = decodeSsdAnchor(head, anchors, j);
    if (!(d.score > minScore)) continue;
    boxes.push(d.box);
    scores.push(d.score);
  }
  const fx = inputSize / resized.width, fy = inputSize / resized.height;
  return nonMaxSuppression(boxes, scores, SSD_IOU_THRESHOLD).slice(0, maxResults).map((k) => {
    const b = boxes[k];
    const top = Math.max(0, b.y) * fy, bottom = Math.min(1, b.y + b.height) * fy;
    const left = Math.max(0, b.x) * fx, right = Math.min(1, b.x + b.width) * fx;
    return { box: { x: left, y: top, width: right - left, height: bottom - top }, score: scores[k] };
  });
}
