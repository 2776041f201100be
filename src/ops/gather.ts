// gather (index_select / take along an axis) with its deterministic scatter-add backward, and
// oneHot. Kernels: kernels/gather.wgsl (the backward's five steps are described there).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { tensor, zeros } from '../tensor/create.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fmt } from './shape-utils.ts';

const PARAMS = [['outer', 'u32'], ['axis', 'u32'], ['inner', 'u32'], ['k', 'u32']] as const;
const kernel = (entry: string, reads: number, writes: number) =>
  defineKernel({ file: 'gather', entry, params: PARAMS, reads, writes, workgroupSize: 256 });
const K_GATHER = kernel('gather', 2, 1);
const K_COUNT = kernel('index_count', 1, 1);
const K_SCAN = kernel('index_scan', 1, 1);
const K_FILL = kernel('index_fill', 2, 2);
const K_SORT = kernel('bucket_sort', 1, 1);
const K_SCATTER = kernel('scatter_rows', 3, 1);
const K_ONE_HOT = kernel('one_hot', 1, 1);

type Indices = Tensor | readonly number[];

function asIndexTensor(idx: Indices, op: string): { t: Tensor; owned: boolean } {
  if (idx instanceof Tensor) {
    if (idx.dtype === 'f32') throw new Error(`${op}: indices must be i32 or u32, got f32 ${fmt(idx.shape)}`);
    return { t: idx, owned: false };
  }
  return { t: tensor(idx, [idx.length], 'i32'), owned: true };
}

const signedness = (t: Tensor) => ({ SIGNED: t.dtype === 'i32' ? 1 : 0 });

/**
 * out = x.take(indices, axis): out.shape = x.shape[:axis] + indices.shape + x.shape[axis+1:].
 * i32 indices may be negative (from the end); indices still out of range give 0 (and no gradient).
 * Repeated indices are fine: their gradients add up. Any 4-byte dtype can be gathered.
 */
export function gather(x: Tensor, indices: Indices, axis = 0): Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= x.rank) throw new Error(`gather: axis ${axis} is out of range for ${fmt(x.shape)}`);
  const { t: idx, owned } = asIndexTensor(indices, 'gather');
  const outer = x.shape.slice(0, ax).reduce((a, b) => a * b, 1);
  const A = x.shape[ax];
  const inner = x.shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  const K = idx.size;
  const out = Tensor.empty([...x.shape.slice(0, ax), ...idx.shape, ...x.shape.slice(ax + 1)], x.dtype);
  const params = { outer, axis: A, inner, k: K };
  if (out.size > 0) getGpu().dispatch(K_GATHER, [x.buffer, idx.buffer, out.buffer], params, out.size, signedness(idx));
  if (needsGrad(x)) {
    record('gather', out, [x], [idx], (g) => [scatterAddRows(g, idx, x.shape, params)]);
  }
  if (owned) idx.dispose(); // a recorded backward retains its storage
  return out;
}

/** The backward of gather: gx[o, a, i] = Σ_{k : idx[k] = a} g[o, k, i], summed in ascending k. */
function scatterAddRows(
  g: Tensor, idx: Tensor, xShape: readonly number[], params: { outer: number; axis: number; inner: number; k: number },
): Tensor {
  const gpu = getGpu();
  const { axis: A, k: K } = params;
  const gx = Tensor.empty(xShape);
  if (gx.size === 0) return gx;
  if (K === 0) {
    gpu.clear(gx.buffer);
    return gx;
  }
  const signed = signedness(idx);
  const counts = zeros([A], 'u32');
  const starts = Tensor.empty([A + 1], 'u32');
  const list = Tensor.empty([K], 'u32');
  gpu.dispatch(K_COUNT, [idx.buffer, counts.buffer], params, K, signed);
  gpu.dispatch(K_SCAN, [counts.buffer, starts.buffer], params, [1, 1, 1]);
  gpu.dispatch(K_FILL, [idx.buffer, starts.buffer, counts.buffer, list.buffer], params, K, signed);
  gpu.dispatch(K_SORT, [starts.buffer, list.buffer], params, A);
  gpu.dispatch(K_SCATTER, [g.buffer, starts.buffer, list.buffer, gx.buffer], params, gx.size);
  counts.dispose();
  starts.dispose();
  list.dispose();
  return gx;
}

/** out[..., c] = 1 where labels[...] = c, else 0 (f32, no gradient). Out-of-range labels give a zero row;
 *  negative i32 labels count from the end. */
export function oneHot(labels: Indices, classes: number): Tensor {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`oneHot: classes must be a positive integer, got ${classes}`);
  const { t, owned } = asIndexTensor(labels, 'oneHot');
  const out = Tensor.empty([...t.shape, classes]);
  if (out.size > 0) {
    getGpu().dispatch(K_ONE_HOT, [t.buffer, out.buffer], { outer: 1, axis: classes, inner: 1, k: t.size }, out.size, signedness(t));
  }
  if (owned) t.dispose();
  return out;
}
