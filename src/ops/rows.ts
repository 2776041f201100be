// Shared by the row-wise kernels (softmax, l2Normalize): a tensor seen as [outer, len, inner]
// rows along one axis, and the one place that picks a thread-per-row or workgroup-per-row kernel.
import { getGpu } from '../gpu/device.ts';
import { grid1d, type Kernel } from '../gpu/kernel.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

export interface RowLayout {
  outer: number;
  len: number;
  inner: number;
}

export type RowPath = 'rows' | 'workgroup';

/**
 * Thread-per-row or workgroup-per-row. On a GPU, with fewer rows than it keeps invocations in
 * flight, a thread-per-row kernel leaves the machine idle while each thread walks a long row
 * alone; a workgroup per row splits the row 64 ways at the price of 6 barriers per reduction.
 * On a CPU adapter (lavapipe) barriers are expensive and parallelism is per workgroup, so the
 * workgroup path only pays for a handful of very long rows. Measured on lavapipe (bench/movement.ts,
 * softmax forward, rows kernel vs workgroup kernel): [256,1000] 2.2 vs 4.4 ms, [2048,128] 3.7 vs 46 ms,
 * [8,4097] 0.49 vs 0.52 ms, [2,100000] 4.8 vs 3.4 ms. The GPU thresholds are not yet measured.
 */
export const ROW_PATH_THRESHOLDS = {
  gpu: { maxRows: 4096, minLen: 512 },
  cpu: { maxRows: 4, minLen: 16384 },
};

export function chooseRowPath(rows: number, len: number, isSoftware = getGpu().adapter.isSoftware): RowPath {
  const t = isSoftware ? ROW_PATH_THRESHOLDS.cpu : ROW_PATH_THRESHOLDS.gpu;
  return rows <= t.maxRows && len >= t.minLen ? 'workgroup' : 'rows';
}

/** [outer, len, inner] around `axis` (negative counts from the end) of an f32 tensor. */
export function rowLayout(x: Tensor, axis: number, op: string): RowLayout {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 tensor, got ${x.dtype} ${fmt(x.shape)}`);
  if (x.rank === 0) throw new Error(`${op}: needs at least one axis`);
  const a = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= x.rank) throw new Error(`${op}: axis ${axis} is out of range for ${fmt(x.shape)}`);
  const prod = (s: readonly number[]) => s.reduce((p, d) => p * d, 1);
  return { outer: prod(x.shape.slice(0, a)), len: x.shape[a], inner: prod(x.shape.slice(a + 1)) };
}

/** Dispatch a row kernel pair: `byRow` runs one invocation per row (1-D grid), `byWorkgroup` one
 *  workgroup per row (grid of rows groups, folded into y past 65,535). */
export function dispatchRows(
  pair: { byRow: Kernel; byWorkgroup: Kernel },
  buffers: readonly GPUBuffer[],
  l: RowLayout,
  extra: Readonly<Record<string, number>> = {},
  path?: RowPath,
  constants?: Record<string, number>,
): void {
  const rows = l.outer * l.inner;
  const params = { ...l, ...extra };
  if ((path ?? chooseRowPath(rows, l.len)) === 'rows') getGpu().dispatch(pair.byRow, buffers, params, rows, constants);
  else getGpu().dispatch(pair.byWorkgroup, buffers, params, grid1d(rows, 1), constants);
}
