// Greedy non-maximum suppression, face-api.js's: highest score first (ties: the later index), drop
// every remaining box whose IoU with the pick exceeds the threshold.

export interface Box { x: number; y: number; width: number; height: number }

export function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Indices of the kept boxes, best first. */
export function nonMaxSuppression(boxes: readonly Box[], scores: readonly number[], iouThreshold: number): number[] {
  let order = scores.map((score, i) => ({ score, i })).sort((p, q) => p.score - q.score).map((p) => p.i);
  const pick: number[] = [];
  while (order.length) {
    const cur = order.pop()!;
    pick.push(cur);
    order = order.filter((j) => iou(boxes[cur], boxes[j]) <= iouThreshold);
  }
  return pick;
}
