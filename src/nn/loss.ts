// Losses built from the differentiable ops.
import { add, mul, sub } from '../ops/elementwise.ts';
import { mean, reduceRaw, sum } from '../ops/reduce.ts';
import { exp, log } from '../ops/unary.ts';
import { tidy } from '../tensor/scope.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Softmax cross-entropy averaged over the batch: logits [B, C], target [B, C] (one-hot or soft
 *  labels summing to 1). Stable: logsumexp(x) = m + log Σ exp(x − m) with m = max(x) taken
 *  without a gradient (logsumexp does not depend on m, so its gradient is exact). */
export function softmaxCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  if (logits.rank !== 2 || target.rank !== 2 || logits.shape[0] !== target.shape[0] || logits.shape[1] !== target.shape[1]) {
    throw new Error(`softmaxCrossEntropy: logits [${logits.shape.join(', ')}] and target [${target.shape.join(', ')}] must both be [B, C]`);
  }
  return tidy(() => {
    const m = reduceRaw('max', logits, [1]);
    const lse = add(m, log(sum(exp(sub(logits, m)), 1, true)));
    const picked = sum(mul(target, logits), 1, true);
    return mean(sub(lse, picked));
  });
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
