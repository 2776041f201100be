// Reductions over axes: sum, mean, max, min (keepdims optional), and sumToShape for broadcast backward.
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { Tensor, type Shape } from '../tensor/tensor.ts';
import { binaryRaw } from './elementwise.ts';
import { fmt, normAxes } from './shape-utils.ts';
import { unary } from './unary.ts';

const reduceKernel = (entry: string) => defineKernel({
  file: 'reduce', entry,
  params: [['outer', 'u32'], ['r', 'u32'], ['inner', 'u32'], ['chunk', 'u32'], ['nchunk', 'u32']],
  reads: 1, writes: 1, workgroupSize: 256,
});
const K_REDUCE = reduceKernel('reduce_mid');
/** Four adjacent outputs per invocation (vec4), for inner % 4 == 0. */
const K_REDUCE4 = reduceKernel('reduce_mid4');
const OPS = { sum: 0, max: 1, min: 2 } as const;
type ReduceOp = keyof typeof OPS;

/** Invocations a pass aims for before it splits a long axis into chunks. */
const TARGET_PARALLELISM = 16384;
const MIN_CHUNK = 64;

/** Reduce the middle axis of [outer, r, inner] → [outer, inner], in one or more passes. */
function reduceMid(op: ReduceOp, x: Tensor, outer: number, r: number, inner: number): Tensor {
  const outputs = outer * inner;
  let nchunk = Math.min(Math.ceil(r / MIN_CHUNK), Math.ceil(TARGET_PARALLELISM / outputs));
  nchunk = Math.max(1, nchunk);
  const chunk = Math.ceil(r / nchunk);
  nchunk = Math.ceil(r / chunk);
  const out = Tensor.empty([outer, nchunk, inner]);
  const vec4 = inner % 4 === 0;
  getGpu().dispatch(vec4 ? K_REDUCE4 : K_REDUCE, [x.buffer, out.buffer], { outer, r, inner, chunk, nchunk },
    (outputs * nchunk) / (vec4 ? 4 : 1), { OP: OPS[op] });
  if (nchunk === 1) return out;
  const next = reduceMid(op, out, outer, nchunk, inner);
  out.dispose();
  return next;
}

/** Forward only: Σ over each row of a contiguous [rows, len] tensor → [rows, 1] (e.g. the second
 *  pass over a thread-per-(row, chunk) reduction's partials). */
export function sumRows(x: Tensor, rows: number, len: number): Tensor {
  const out = reduceMid('sum', x, rows, len, 1);
  const v = out.view([rows, 1]);
  out.dispose();
  return v;
}

/** Forward only: reduce `axes` (kept as size-1 dims). */
export function reduceRaw(op: ReduceOp, x: Tensor, axes: readonly number[]): Tensor {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 tensor, got ${x.dtype}`);
  const shape = [...x.shape];
  let cur = x;
  // Reduce each run of adjacent axes as one middle axis, last run first.
  let i = axes.length - 1;
  while (i >= 0) {
    let j = i;
    while (j > 0 && axes[j - 1] === axes[j] - 1) j--;
    const lo = axes[j];
    const hi = axes[i];
    const outer = shape.slice(0, lo).reduce((a, b) => a * b, 1);
    const r = shape.slice(lo, hi + 1).reduce((a, b) => a * b, 1);
    const inner = shape.slice(hi + 1).reduce((a, b) => a * b, 1);
    if (r === 0) throw new Error(`${op}: cannot reduce an empty axis of ${fmt(x.shape)}`);
    const next = reduceMid(op, cur, outer, r, inner);
    if (cur !== x) cur.dispose();
    for (let a = lo; a <= hi; a++) shape[a] = 1;
    cur = next;
    i = j - 1;
  }
  if (cur === x) return x.view(shape);
  const v = cur.view(shape);
  cur.dispose();
  return v;
}

function finish(out: Tensor, x: Tensor, axes: number[], keepdims: boolean): Tensor {
  if (keepdims) return out;
  const shape = x.shape.filter((_, i) => !axes.includes(i));
  const v = out.view(shape);
  out.dispose();
  return v;
}

/** Broadcast g (shaped like the keepdims result) back to `shape`. */
function expandTo(g: Tensor, shape: Shape): Tensor {
  return binaryRaw('add', g, zerosLike(shape));
}
function zerosLike(shape: Shape): Tensor {
  const z = Tensor.empty(shape);
  getGpu().clear(z.buffer);
  return z;
}

function keptShape(x: Tensor, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

export function sum(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normAxes(axes, x.rank, 'sum');
  const kept = reduceRaw('sum', x, ax);
  const out = finish(kept, x, ax, keepdims);
  record('sum', out, [x], [], (g) => [expandTo(g.view(keptShape(x, ax)), x.shape)]);
  return out;
}

export function mean(x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normAxes(axes, x.rank, 'mean');
  const count = ax.reduce((n, a) => n * x.shape[a], 1);
  const kept = reduceRaw('sum', x, ax);
  const scaled = binaryRaw('mul', kept, 1 / count);
  kept.dispose();
  const out = finish(scaled, x, ax, keepdims);
  record('mean', out, [x], [], (g) => [binaryRaw('mul', expandTo(g.view(keptShape(x, ax)), x.shape), 1 / count)]);
  return out;
}

/** max/min over axes; the gradient is shared equally among tied extrema (like torch.amax). */
function extreme(op: 'max' | 'min', x: Tensor, axes?: number | readonly number[], keepdims = false): Tensor {
  const ax = normAxes(axes, x.rank, op);
  const kept = reduceRaw(op, x, ax);
  const out = finish(kept.view(kept.shape), x, ax, keepdims);
  if (needsGrad(x)) {
    record(op, out, [x], [x, kept], (g) => {
      const mask = unary('eqz', binaryRaw('sub', x, kept));
      const count = reduceRaw('sum', mask, ax);
      const share = binaryRaw('div', g.view(keptShape(x, ax)), count);
      return [binaryRaw('mul', mask, share)];
    });
  }
  kept.dispose();
  return out;
}

export const max = (x: Tensor, axes?: number | readonly number[], keepdims = false) => extreme('max', x, axes, keepdims);
export const min = (x: Tensor, axes?: number | readonly number[], keepdims = false) => extreme('min', x, axes, keepdims);

/** Sum a broadcast gradient back to `shape` (forward-only helper for backward closures). */
export function sumToShape(g: Tensor, shape: Shape): Tensor {
  if (g.rank === shape.length && g.shape.every((d, i) => d === shape[i])) return g.view(shape);
  const lead = g.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const r = reduceRaw('sum', g, axes);
  const v = r.view(shape);
  r.dispose();
  return v;
}
