// Pooling over NCHW (PyTorch semantics): global average, average and max pool 2d, each with its
// backward right below (gather kernels, kernels/pool.wgsl). Padding is PyTorch's symmetric
// number / [ph, pw], or TF 'same' (asymmetric; docs/layout.md), resolved by conv-geometry.ts.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { pair, resolvePadding, type Padding } from './conv-geometry.ts';
import { choosePlanePath, rowChunks, type PlanePath } from './plane-reduce.ts';
import { sumRows } from './reduce.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [
  ['planes', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'], ['OW', 'u32'],
  ['kh', 'i32'], ['kw', 'i32'], ['sh', 'i32'], ['sw', 'i32'], ['dh', 'i32'], ['dw', 'i32'],
  ['pt', 'i32'], ['pl', 'i32'], ['pb', 'i32'], ['pr', 'i32'], ['include_pad', 'u32'],
] as const;
const WG = 64;
const k = (entry: string, reads: number, writes: number) =>
  defineKernel({ file: 'pool', entry, params: PARAMS, reads, writes, workgroupSize: WG });
const K_GLOBAL = k('global_avg', 1, 1);
const ROW_PARAMS = [['rows', 'u32'], ['len', 'u32'], ['chunk', 'u32'], ['nchunk', 'u32'], ['scale', 'f32']] as const;
const kr = (entry: string) => defineKernel({ file: 'pool', entry, params: ROW_PARAMS, reads: 1, writes: 1, workgroupSize: WG });
const K_GLOBAL_ROWS = { scalar: kr('global_avg_rows'), vec4: kr('global_avg_rows4') };
const K_GLOBAL_GRAD = k('global_avg_grad', 1, 1);
const K_AVG = k('avg_pool', 1, 1);
const K_AVG_GRAD = k('avg_pool_grad', 1, 1);
const K_MAX = k('max_pool', 1, 2);
const K_MAX_GRAD = k('max_pool_grad', 2, 1);

type Params = Record<(typeof PARAMS)[number][0], number>;

function checkInput(x: Tensor, op: string): [number, number, number, number] {
  if (x.rank !== 4 || x.dtype !== 'f32') throw new Error(`${op}: x must be f32 [N, C, H, W], got ${x.dtype} ${fmt(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/** Mean over H and W: [N, C, H, W] → [N, C, 1, 1] (adaptive_avg_pool2d(x, 1)). `path` forces the
 *  reduction's kernel (tests); by default plane-reduce.ts chooses. */
export function globalAvgPool2d(x: Tensor, opts: { path?: PlanePath } = {}): Tensor {
  const [N, C, H, W] = checkInput(x, 'globalAvgPool2d');
  const params = windowParams(N * C, H, W, 1, 1, [H, W], [1, 1], [1, 1], [0, 0, 0, 0], false);
  const planes = N * C;
  let out: Tensor;
  if ((opts.path ?? choosePlanePath(H * W)) === 'rows') {
    const rows = globalAvgRows(x, planes, H * W);
    out = rows.view([N, C, 1, 1]);
    rows.dispose();
  } else {
    out = Tensor.empty([N, C, 1, 1]);
    // One workgroup per plane; past 65,535 planes the grid folds into y.
    const gx = Math.max(1, Math.min(planes, 65535));
    getGpu().dispatch(K_GLOBAL, [x.buffer, out.buffer], params, [gx, Math.ceil(planes / gx), 1]);
  }
  if (needsGrad(x)) {
    record('globalAvgPool2d', out, [x], [], (g) => {
      const gx = Tensor.empty(x.shape);
      getGpu().dispatch(K_GLOBAL_GRAD, [g.buffer, gx.buffer], params, gx.size);
      return [gx];
    });
  }
  return out;
}

/** Thread per (plane, chunk) means [planes, 1]; a second pass sums the chunks of long planes. */
function globalAvgRows(x: Tensor, planes: number, hw: number): Tensor {
  const { chunk, nchunk } = rowChunks(planes, hw);
  const part = Tensor.empty([planes, nchunk]);
  const k = hw % 4 === 0 && chunk % 4 === 0 ? K_GLOBAL_ROWS.vec4 : K_GLOBAL_ROWS.scalar;
  getGpu().dispatch(k, [x.buffer, part.buffer], { rows: planes, len: hw, chunk, nchunk, scale: 1 / hw }, planes * nchunk);
  if (nchunk === 1) return part;
  const out = sumRows(part, planes, nchunk);
  part.dispose();
  return out;
}

export interface PoolOptions {
  /** Default: the kernel size. */
  stride?: number | [number, number];
  /** Default 0. */
  padding?: Padding;
  /** Max pool only. Default 1. */
  dilation?: number | [number, number];
  /** PyTorch ceil_mode (not with 'same'). Default false. */
  ceilMode?: boolean;
  /** Avg pool only: count padded taps in the divisor (PyTorch default true). */
  countIncludePad?: boolean;
}

/** PyTorch's pooling output length (with ceil_mode: the last window must start inside the input
 *  or the leading padding). */
function poolOut(n: number, k: number, s: number, d: number, before: number, after: number, ceil: boolean): number {
  const span = (k - 1) * d + 1;
  const num = n + before + after - span;
  let out = (ceil ? Math.ceil(num / s) : Math.floor(num / s)) + 1;
  if (ceil && (out - 1) * s >= n + before) out--;
  return out;
}

function windowParams(
  planes: number, H: number, W: number, OH: number, OW: number,
  kernel: [number, number], stride: [number, number], dilation: [number, number],
  pads: [number, number, number, number], includePad: boolean,
): Params {
  const [pt, pb, pl, pr] = pads;
  return {
    planes, H, W, OH, OW, kh: kernel[0], kw: kernel[1], sh: stride[0], sw: stride[1],
    dh: dilation[0], dw: dilation[1], pt, pl, pb, pr, include_pad: includePad ? 1 : 0,
  };
}

function plan(op: string, x: Tensor, kernelSize: number | [number, number], o: PoolOptions) {
  const [N, C, H, W] = checkInput(x, op);
  const kernel = pair(kernelSize, 1, `${op} kernelSize`);
  const stride = o.stride === undefined ? kernel : pair(o.stride, 1, `${op} stride`);
  const dilation = pair(o.dilation, 1, `${op} dilation`);
  const padding = o.padding ?? 0;
  if (padding === 'same' && o.ceilMode) throw new Error(`${op}: ceilMode does not combine with 'same' padding`);
  const [ph, pw] = resolvePadding(padding, H, W, kernel[0], kernel[1], stride, dilation);
  if (padding !== 'same' && (2 * ph.before > kernel[0] || 2 * pw.before > kernel[1])) {
    throw new Error(`${op}: padding ${String(padding)} must be at most half the kernel ${fmt(kernel)}`);
  }
  const OH = poolOut(H, kernel[0], stride[0], dilation[0], ph.before, ph.after, !!o.ceilMode);
  const OW = poolOut(W, kernel[1], stride[1], dilation[1], pw.before, pw.after, !!o.ceilMode);
  if (OH < 1 || OW < 1) throw new Error(`${op}: kernel ${fmt(kernel)} does not fit x ${fmt(x.shape)}`);
  const pads: [number, number, number, number] = [ph.before, ph.after, pw.before, pw.after];
  return { N, C, OH, OW, params: (includePad: boolean) => windowParams(N * C, H, W, OH, OW, kernel, stride, dilation, pads, includePad) };
}

/** Average pool 2d; `countIncludePad` (default true) as PyTorch's count_include_pad. */
export function avgPool2d(x: Tensor, kernelSize: number | [number, number], opts: PoolOptions = {}): Tensor {
  if ((opts.dilation ?? 1) !== 1) throw new Error('avgPool2d: dilation is not supported (PyTorch has none either)');
  const pl = plan('avgPool2d', x, kernelSize, opts);
  const params = pl.params(opts.countIncludePad ?? true);
  const out = Tensor.empty([pl.N, pl.C, pl.OH, pl.OW]);
  getGpu().dispatch(K_AVG, [x.buffer, out.buffer], params, out.size);
  if (needsGrad(x)) {
    record('avgPool2d', out, [x], [], (g) => {
      const gx = Tensor.empty(x.shape);
      getGpu().dispatch(K_AVG_GRAD, [g.buffer, gx.buffer], params, gx.size);
      return [gx];
    });
  }
  return out;
}

/** Max pool 2d; padded taps never win; ties go to the first tap in row-major window order; a NaN
 *  tap wins (propagates), as in PyTorch. */
export function maxPool2d(x: Tensor, kernelSize: number | [number, number], opts: PoolOptions = {}): Tensor {
  const pl = plan('maxPool2d', x, kernelSize, opts);
  const params = pl.params(false);
  const out = Tensor.empty([pl.N, pl.C, pl.OH, pl.OW]);
  const argmax = Tensor.empty(out.shape, 'i32');
  getGpu().dispatch(K_MAX, [x.buffer, out.buffer, argmax.buffer], params, out.size);
  if (needsGrad(x)) {
    record('maxPool2d', out, [x], [argmax], (g) => {
      const gx = Tensor.empty(x.shape);
      getGpu().dispatch(K_MAX_GRAD, [g.buffer, argmax.buffer, gx.buffer], params, gx.size);
      return [gx];
    });
  }
  argmax.dispose();
  return out;
}
