// Spatial padding of NCHW tensors with explicit per-side amounts: constant (zero by default) or
// reflect (PyTorch's 'reflect'), forward and its gather backward (kernels/pad.wgsl).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [
  ['planes', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
  ['pt', 'i32'], ['pl', 'i32'], ['value', 'f32'],
] as const;
const K_PAD = defineKernel({ file: 'pad', entry: 'pad', params: PARAMS, reads: 1, writes: 1, workgroupSize: 64 });
const K_PAD_GRAD = defineKernel({ file: 'pad', entry: 'pad_grad', params: PARAMS, reads: 1, writes: 1, workgroupSize: 64 });

/** Pixels added on each side of the H (top/bottom) and W (left/right) axes. */
export interface Pad2d {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export interface PadOptions {
  /** Default 'constant'. */
  mode?: 'constant' | 'reflect';
  /** Fill of 'constant' mode. Default 0. */
  value?: number;
}

/** Pad H and W: a number pads all four sides, or give each side (e.g. TF SAME's extra bottom/right pixel). */
export function pad2d(x: Tensor, pads: number | Pad2d, opts: PadOptions = {}): Tensor {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`pad2d: x must be f32 [N, C, H, W], got ${x.dtype} ${fmt(x.shape)}`);
  const { top, bottom, left, right } = typeof pads === 'number' ? { top: pads, bottom: pads, left: pads, right: pads } : pads;
  for (const v of [top, bottom, left, right]) {
    if (!Number.isInteger(v) || v < 0) throw new Error(`pad2d: pads must be non-negative integers, got ${JSON.stringify(pads)}`);
  }
  const [N, C, H, W] = x.shape;
  const mode = opts.mode ?? 'constant';
  if (mode === 'reflect' && (Math.max(top, bottom) >= H || Math.max(left, right) >= W)) {
    throw new Error(`pad2d: reflect padding ${JSON.stringify(pads)} must be smaller than the plane ${fmt([H, W])}`);
  }
  const OH = H + top + bottom;
  const OW = W + left + right;
  const params = { planes: N * C, H, W, OH, OW, pt: top, pl: left, value: opts.value ?? 0 };
  const MODE = { MODE: mode === 'reflect' ? 1 : 0 };
  const out = Tensor.empty([N, C, OH, OW]);
  if (out.size > 0) getGpu().dispatch(K_PAD, [x.buffer, out.buffer], params, out.size, MODE);
  if (needsGrad(x)) {
    record('pad2d', out, [x], [], (g) => {
      const gx = Tensor.empty(x.shape);
      if (gx.size > 0) getGpu().dispatch(K_PAD_GRAD, [g.buffer, gx.buffer], params, gx.size, MODE);
      return [gx];
    });
  }
  return out;
}
