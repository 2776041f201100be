// Fused losses, forward and backward side by side (kernels/losses.wgsl): per-row / per-chunk
// kernels then one small reduction, so the loss is spread over many workgroups.
// crossEntropy from logits and integer labels (mean or sum, label smoothing, negative labels ignored)
// and binaryCrossEntropyWithLogits (numerically stable for any logit).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [['N', 'u32'], ['K', 'u32'], ['smoothing', 'f32'], ['mean', 'u32']] as const;
const k = (entry: string, reads: number, writes: number) =>
  defineKernel({ file: 'losses', entry, params: PARAMS, reads, writes, workgroupSize: 256 });
// One row per invocation: 64-wide workgroups, so that a few hundred rows still fill several of them.
const K_CE_ROWS = defineKernel({ file: 'losses', entry: 'ce_rows', params: PARAMS, reads: 2, writes: 2, workgroupSize: 64 });
const K_REDUCE = k('reduce_pairs', 1, 2);
const K_CE_GRAD = k('ce_backward', 5, 1);
const K_BCE_PARTIAL = k('bce_partial', 2, 1);
const K_BCE_GRAD = k('bce_backward', 3, 2);

/** Σ of (value, count) pairs → loss (mean over counts, or sum) and the count. */
function reducePairs(pairs: Tensor, n: number, mean: boolean): { loss: Tensor; count: Tensor } {
  const loss = Tensor.empty([]);
  const count = Tensor.empty([1]);
  getGpu().dispatch(K_REDUCE, [pairs.buffer, loss.buffer, count.buffer], { N: n, K: 1, smoothing: 0, mean: mean ? 1 : 0 }, [1, 1, 1]);
  return { loss, count };
}

export interface CrossEntropyOptions {
  /** 'mean' (over rows whose label is not negative) or 'sum'. Default 'mean'. */
  reduction?: 'mean' | 'sum';
  /** ε of PyTorch's label_smoothing: targets (1 − ε)·onehot + ε/K. Default 0. */
  labelSmoothing?: number;
}

/** Cross-entropy of logits [N, K] against i32 labels [N]; a negative label ignores its row
 *  (PyTorch's ignore_index = −100 is one such). Returns a scalar. */
export function crossEntropy(logits: Tensor, labels: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  if (logits.rank !== 2 || logits.dtype !== 'f32') throw new Error(`crossEntropy: logits must be f32 [N, K], got ${logits.dtype} ${fmt(logits.shape)}`);
  const [N, K] = logits.shape;
  if (labels.dtype !== 'i32' || labels.size !== N || labels.rank !== 1) {
    throw new Error(`crossEntropy: labels must be i32 [${N}], got ${labels.dtype} ${fmt(labels.shape)}`);
  }
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  if (N === 0 || K === 0) throw new Error(`crossEntropy: empty logits ${fmt(logits.shape)}`);
  const mean = (opts.reduction ?? 'mean') === 'mean';
  const params = { N, K, smoothing: eps, mean: mean ? 1 : 0 };
  const gpu = getGpu();
  const pairs = Tensor.empty([N, 2]);
  const lse = Tensor.empty([N]);
  gpu.dispatch(K_CE_ROWS, [logits.buffer, labels.buffer, pairs.buffer, lse.buffer], params, N, { WG: 64 });
  const { loss, count } = reducePairs(pairs, N, mean);
  pairs.dispose();
  if (needsGrad(logits)) {
    record('crossEntropy', loss, [logits], [logits, labels, lse, count], (g) => {
      const gz = Tensor.empty(logits.shape);
      gpu.dispatch(K_CE_GRAD, [logits.buffer, labels.buffer, lse.buffer, count.buffer, g.buffer, gz.buffer], params, gz.size);
      return [gz];
    });
  }
  lse.dispose();
  count.dispose();
  return loss;
}

export interface BceOptions {
  /** Default 'mean'. */
  reduction?: 'mean' | 'sum';
}

/** Binary cross-entropy of logits x against targets t in [0, 1] (same shape): mean or sum of
 *  max(x, 0) − x·t + log(1 + e^−|x|). Gradients flow to x and to t. Returns a scalar. */
export function binaryCrossEntropyWithLogits(x: Tensor, t: Tensor, opts: BceOptions = {}): Tensor {
  if (x.dtype !== 'f32' || t.dtype !== 'f32' || x.size !== t.size || x.rank !== t.rank || x.shape.some((d, i) => d !== t.shape[i])) {
    throw new Error(`binaryCrossEntropyWithLogits: logits and targets must be f32 of one shape, got ${fmt(x.shape)} and ${fmt(t.shape)}`);
  }
  if (x.size === 0) throw new Error('binaryCrossEntropyWithLogits: empty input');
  const mean = (opts.reduction ?? 'mean') === 'mean';
  // Partial sums over chunks of ≥ 2048 elements (≤ 1024 workgroups), then one reduction.
  const P = Math.max(1, Math.min(1024, Math.ceil(x.size / 2048)));
  const chunk = Math.ceil(x.size / P);
  const parts = Math.ceil(x.size / chunk);
  const gpu = getGpu();
  const pairs = Tensor.empty([parts, 2]);
  gpu.dispatch(K_BCE_PARTIAL, [x.buffer, t.buffer, pairs.buffer], { N: x.size, K: chunk, smoothing: 0, mean: 0 }, [parts, 1, 1]);
  const { loss, count } = reducePairs(pairs, parts, mean);
  pairs.dispose();
  count.dispose();
  const params = { N: x.size, K: 1, smoothing: 0, mean: mean ? 1 : 0 };
  if (needsGrad(x, t)) {
    record('binaryCrossEntropyWithLogits', loss, [x, t], [x, t], (g) => {
      const gx = Tensor.empty(x.shape);
      const gt = Tensor.empty(t.shape);
      gpu.dispatch(K_BCE_GRAD, [x.buffer, t.buffer, g.buffer, gx.buffer, gt.buffer], params, x.size);
      return [x.requiresGrad ? gx : null, t.requiresGrad ? gt : null];
    });
  }
  return loss;
}
