// Losses on top of the ops. Hard labels: use crossEntropy (src/ops/losses.ts, one fused kernel).
import { mul } from '../ops/elementwise.ts';
import { mean, sum } from '../ops/reduce.ts';
import { logSoftmax } from '../ops/softmax.ts';
import { neg } from '../ops/unary.ts';
import { tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Softmax cross-entropy against soft targets, averaged over the batch: logits [B, C], target
 *  [B, C] (rows summing to 1, e.g. mixup or distillation targets): −mean_b Σ_c t·log softmax(x). */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  if (logits.rank !== 2 || target.rank !== 2 || logits.shape[0] !== target.shape[0] || logits.shape[1] !== target.shape[1]) {
    throw new Error(`softmaxCrossEntropy: logits [${logits.shape.join(', ')}] and target [${target.shape.join(', ')}] must both be [B, C]`);
  }
  return tidy(() => neg(mean(sum(mul(target, logSoftmax(logits, 1)), 1))));
}

/** Host-side accuracy of logits [B, C] (row-major values) against integer labels. */
export function accuracy(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
    if (best === labels[i]) right++;
  }
  return right / labels.length;
}
