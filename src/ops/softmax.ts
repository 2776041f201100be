// softmax and logSoftmax along one axis (default the last), numerically stable, fused forward and
// backward kernels (kernels/softmax.wgsl). Both save their output: the backward needs only y and g.
import { getGpu } from '../gpu/device.ts';
import { defineKernel, grid1d } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [['outer', 'u32'], ['len', 'u32'], ['inner', 'u32']] as const;
const K_ROWS = defineKernel({ file: 'softmax', entry: 'softmax_rows', params: PARAMS, reads: 1, writes: 1, workgroupSize: 256 });
const K_ROWS_BWD = defineKernel({ file: 'softmax', entry: 'softmax_rows_backward', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_WG = defineKernel({ file: 'softmax', entry: 'softmax_wg', params: PARAMS, reads: 1, writes: 1, workgroupSize: 64 });
const K_WG_BWD = defineKernel({ file: 'softmax', entry: 'softmax_wg_backward', params: PARAMS, reads: 2, writes: 1, workgroupSize: 64 });

export type SoftmaxPath = 'rows' | 'workgroup';
export interface SoftmaxOptions {
  /** Force a kernel path (tests and benches); by default chooseSoftmaxPath decides. */
  path?: SoftmaxPath;
}

/** Rows below which one workgroup per row pays off, and the row length from which it does.
 *  With fewer rows than a GPU has invocations in flight, a thread-per-row kernel leaves the
 *  machine idle while each thread walks a long row alone; a workgroup per row splits the row 64
 *  ways at the price of 6 barriers per reduction. */
export const SOFTMAX_WG_MAX_ROWS = 4096;
export const SOFTMAX_WG_MIN_LEN = 512;

export function chooseSoftmaxPath(rows: number, len: number): SoftmaxPath {
  return rows < SOFTMAX_WG_MAX_ROWS && len >= SOFTMAX_WG_MIN_LEN ? 'workgroup' : 'rows';
}

interface RowLayout {
  outer: number;
  len: number;
  inner: number;
}

function layout(x: Tensor, axis: number, op: string): RowLayout {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  if (x.rank === 0) throw new Error(`${op}: needs at least one axis`);
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.rank) throw new Error(`${op}: axis ${axis} is out of range for ${fmt(x.shape)}`);
  const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  return { outer: prod(x.shape.slice(0, a)), len: x.shape[a], inner: prod(x.shape.slice(a + 1)) };
}

function dispatchRows(rowsKernel: typeof K_ROWS, wgKernel: typeof K_WG, buffers: GPUBuffer[], l: RowLayout, log: boolean, path?: SoftmaxPath): void {
  const rows = l.outer * l.inner;
  const chosen = path ?? chooseSoftmaxPath(rows, l.len);
  const constants = { LOG: log ? 1 : 0 };
  if (chosen === 'rows') getGpu().dispatch(rowsKernel, buffers, { ...l }, rows, constants);
  else getGpu().dispatch(wgKernel, buffers, { ...l }, grid1d(rows, 1), constants);
}

function run(x: Tensor, axis: number, log: boolean, opts: SoftmaxOptions): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  const l = layout(x, axis, op);
  const y = Tensor.empty(x.shape);
  if (y.size === 0) return y;
  dispatchRows(K_ROWS, K_WG, [x.buffer, y.buffer], l, log, opts.path);
  if (needsGrad(x)) {
    record(op, y, [x], [y], (g) => {
      const gx = Tensor.empty(x.shape);
      dispatchRows(K_ROWS_BWD, K_WG_BWD, [y.buffer, g.buffer, gx.buffer], l, log, opts.path);
      return [gx];
    });
  }
  return y;
}

/** y = exp(x − max) / Σ exp(x − max) along `axis`. */
export function softmax(x: Tensor, axis = -1, opts: SoftmaxOptions = {}): Tensor {
  return run(x, axis, false, opts);
}

/** y = (x − max) − log Σ exp(x − max) along `axis`. */
export function logSoftmax(x: Tensor, axis = -1, opts: SoftmaxOptions = {}): Tensor {
  return run(x, axis, true, opts);
}
