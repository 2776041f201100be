// l2Normalize: y = x / max(‖x‖₂, eps) along one axis (PyTorch F.normalize, p = 2), with a fused
// forward and a fused backward kernel (kernels/normalize.wgsl). The backward recomputes ‖x‖ from
// the saved input in the same pass that forms Σ g⊙x, so nothing but x is kept.
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { dispatchRows, rowLayout, type RowPath } from './rows.ts';

const PARAMS = [['outer', 'u32'], ['len', 'u32'], ['inner', 'u32'], ['eps', 'f32']] as const;
const kernel = (entry: string, reads: number, workgroupSize: number) =>
  defineKernel({ file: 'normalize', entry, params: PARAMS, reads, writes: 1, workgroupSize });
const FORWARD = { byRow: kernel('l2_rows', 1, 64), byWorkgroup: kernel('l2_wg', 1, 64) };
const BACKWARD = { byRow: kernel('l2_rows_backward', 2, 64), byWorkgroup: kernel('l2_wg_backward', 2, 64) };

export interface NormalizeOptions {
  /** Force a kernel path (tests and benches); by default chooseRowPath decides. */
  path?: RowPath;
}

export function l2Normalize(x: Tensor, axis = -1, eps = 1e-12, opts: NormalizeOptions = {}): Tensor {
  if (!(eps > 0)) throw new Error(`l2Normalize: eps must be positive, got ${eps}`);
  const l = rowLayout(x, axis, 'l2Normalize');
  const y = Tensor.empty(x.shape);
  if (y.size === 0) return y;
  dispatchRows(FORWARD, [x.buffer, y.buffer], l, { eps }, opts.path);
  if (needsGrad(x)) {
    record('l2Normalize', y, [x], [x], (g) => {
      const gx = Tensor.empty(x.shape);
      dispatchRows(BACKWARD, [x.buffer, g.buffer, gx.buffer], l, { eps }, opts.path);
      return [gx];
    });
  }
  return y;
}
