// softmax and logSoftmax along one axis (default the last), numerically stable, fused forward and
// backward kernels (kernels/softmax.wgsl). Both save their output: the backward needs only y and g.
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { dispatchRows, rowLayout, type RowPath } from './rows.ts';

const PARAMS = [['outer', 'u32'], ['len', 'u32'], ['inner', 'u32']] as const;
const kernel = (entry: string, reads: number, workgroupSize: number) =>
  defineKernel({ file: 'softmax', entry, params: PARAMS, reads, writes: 1, workgroupSize });
const FORWARD = { byRow: kernel('softmax_rows', 1, 64), byWorkgroup: kernel('softmax_wg', 1, 64) };
const BACKWARD = { byRow: kernel('softmax_rows_backward', 2, 64), byWorkgroup: kernel('softmax_wg_backward', 2, 64) };

export type SoftmaxPath = RowPath;
export interface SoftmaxOptions {
  /** Force a kernel path (tests and benches); by default chooseRowPath decides. */
  path?: RowPath;
}

function run(x: Tensor, axis: number, log: boolean, opts: SoftmaxOptions): Tensor {
  const op = log ? 'logSoftmax' : 'softmax';
  const l = rowLayout(x, axis, op);
  const y = Tensor.empty(x.shape);
  if (y.size === 0) return y;
  dispatchRows(FORWARD, [x.buffer, y.buffer], l, {}, opts.path, { LOG: log ? 1 : 0 });
  if (needsGrad(x)) {
    record(op, y, [x], [y], (g) => {
      const gx = Tensor.empty(x.shape);
      dispatchRows(BACKWARD, [y.buffer, g.buffer, gx.buffer], l, {}, opts.path, { LOG: log ? 1 : 0 });
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
