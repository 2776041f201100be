// Dropout (elementwise) and drop-connect (stochastic depth: a sample's whole residual branch is
// dropped with probability p, survivors scaled by 1/(1 − p)), kernels/dropout.wgsl. The mask is
// never stored: a counter-based hash of (element or sample index, two 32-bit keys drawn from the
// engine Rng) regenerates it in the backward, so forward and backward use the very same mask and a
// seeded Rng replays a run exactly. Eval mode (training: false) is the identity.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { globalRng, type Rng } from '../tensor/random.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { mul } from './elementwise.ts';
import { reshape } from './shape.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [['n', 'u32'], ['per_sample', 'u32'], ['key0', 'u32'], ['key1', 'u32'], ['threshold', 'u32'], ['scale', 'f32']] as const;
const K_DROPOUT = defineKernel({ file: 'dropout', entry: 'dropout', params: PARAMS, reads: 1, writes: 1, workgroupSize: 256 });

export interface DropoutOptions {
  /** Default true; false makes the op the identity. */
  training?: boolean;
  /** Where the two 32-bit keys come from. Default: the global Rng (manualSeed() replays it). */
  rng?: Rng;
}

/** The u32 threshold below which a hash word means "drop": P(drop) = threshold / 2³² ≈ p. */
export function dropThreshold(p: number): number {
  return Math.min(Math.round(p * 4294967296), 4294967295);
}

function masked(op: string, mode: 0 | 1, x: Tensor, p: number, opts: DropoutOptions): Tensor {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  if (!(p >= 0 && p <= 1)) throw new Error(`${op}: p must be in [0, 1], got ${p}`);
  if (!(opts.training ?? true) || p === 0) return reshape(x, x.shape); // identity, gradient passes
  if (p === 1) return mul(x, 0);
  const rng = opts.rng ?? globalRng;
  const params = {
    n: x.size,
    per_sample: mode === 1 ? Math.max(1, x.size / Math.max(1, x.shape[0])) : 1,
    key0: rng.nextU32(),
    key1: rng.nextU32(),
    threshold: dropThreshold(p),
    scale: 1 / (1 - p),
  };
  const run = (src: Tensor) => {
    const out = Tensor.empty(src.shape);
    if (out.size > 0) getGpu().dispatch(K_DROPOUT, [src.buffer, out.buffer], params, out.size, { MODE: mode });
    return out;
  };
  const out = run(x);
  if (needsGrad(x)) record(op, out, [x], [], (g) => [run(g)]);
  return out;
}

/** Zero each element with probability p, scale survivors by 1/(1 − p). */
export function dropout(x: Tensor, p: number, opts: DropoutOptions = {}): Tensor {
  return masked('dropout', 0, x, p, opts);
}

/** Drop each sample (axis 0) of a residual branch with probability p, scale survivors by 1/(1 − p)
 *  (EfficientNet's drop-connect, timm's drop_path). */
export function dropConnect(x: Tensor, p: number, opts: DropoutOptions = {}): Tensor {
  if (x.rank < 1) throw new Error(`dropConnect: x needs a batch axis, got ${fmt(x.shape)}`);
  return masked('dropConnect', 1, x, p, opts);
}
