// Shape ops. Views (reshape, squeeze, unsqueeze, flatten) share storage and cost nothing; the
// others materialise through one strided-copy kernel (kernels/permute.wgsl via strided-copy.ts):
// permute/transpose, slice/split, concat/stack, expand/broadcastTo. Each forward has its backward below it.
// Every op works on f32, i32 and u32 tensors alike (the kernel moves bits); gradients are f32 only.
import { zeros } from '../tensor/create.ts';
import { needsGrad, record } from '../tensor/tape.ts';
import { sizeOf, Tensor, type Shape } from '../tensor/tensor.ts';
import { sumToShape } from './reduce.ts';
import { fmt, MAX_RANK, stridesOf } from './shape-utils.ts';
import { copyStrided } from './strided-copy.ts';

function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** A view with another shape; the backward views the gradient back. */
function viewAs(op: string, x: Tensor, shape: number[]): Tensor {
  const out = x.view(shape);
  record(op, out, [x], [], (g) => [g.view(x.shape)]);
  return out;
}

/** Same data, new shape (a view). One dim may be -1: it takes what the others leave. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const free = shape.filter((d) => d === -1).length;
  if (free > 1) throw new Error(`reshape: at most one -1 in ${fmt(shape)}`);
  const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const resolved = shape.map((d) => {
    if (d !== -1) return d;
    if (known === 0 || x.size % known !== 0) throw new Error(`reshape: cannot infer -1 in ${fmt(shape)} for ${fmt(x.shape)}`);
    return x.size / known;
  });
  if (sizeOf(resolved) !== x.size) {
    throw new Error(`reshape: ${fmt(x.shape)} (${x.size} elements) cannot become ${fmt(shape)}`);
  }
  return viewAs('reshape', x, resolved);
}

/** Drop size-1 axes: the given ones (each must be 1), or all of them. */
export function squeeze(x: Tensor, axes?: number | readonly number[]): Tensor {
  const list = axes === undefined ? null : (typeof axes === 'number' ? [axes] : axes).map((a) => normAxis(a, x.rank, 'squeeze'));
  for (const a of list ?? []) {
    if (x.shape[a] !== 1) throw new Error(`squeeze: axis ${a} of ${fmt(x.shape)} has size ${x.shape[a]}, not 1`);
  }
  const shape = x.shape.filter((d, i) => (list ? !list.includes(i) : d !== 1));
  return viewAs('squeeze', x, shape);
}

/** Insert a size-1 axis at `axis` (of the result; negative counts from its end). */
export function unsqueeze(x: Tensor, axis: number): Tensor {
  const a = normAxis(axis, x.rank + 1, 'unsqueeze');
  const shape = [...x.shape];
  shape.splice(a, 0, 1);
  return viewAs('unsqueeze', x, shape);
}

/** Merge axes startDim..endDim (inclusive) into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.rank === 0) return viewAs('flatten', x, [1]);
  const s = normAxis(startDim, x.rank, 'flatten');
  const e = normAxis(endDim, x.rank, 'flatten');
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} for ${fmt(x.shape)}`);
  const merged = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return viewAs('flatten', x, [...x.shape.slice(0, s), merged, ...x.shape.slice(e + 1)]);
}

/** out.shape[i] = x.shape[axes[i]], materialised. */
export function permute(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length !== x.rank) throw new Error(`permute: ${axes.length} axes for ${fmt(x.shape)}`);
  const perm = axes.map((a) => normAxis(a, x.rank, 'permute'));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: [${axes.join(', ')}] is not a permutation`);
  if (x.rank > MAX_RANK) throw new Error(`permute: rank ${x.rank} exceeds the supported ${MAX_RANK}`);
  if (perm.every((a, i) => a === i)) return viewAs('permute', x, [...x.shape]);
  const shape = perm.map((a) => x.shape[a]);
  const xs = stridesOf(x.shape);
  const out = Tensor.empty(shape, x.dtype);
  copyStrided(x, { offset: 0, strides: perm.map((a) => xs[a]) }, out, { offset: 0, strides: stridesOf(shape) }, shape);
  if (needsGrad(x)) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((a, i) => (inverse[a] = i));
    record('permute', out, [x], [], (g) => [permute(g, inverse)]);
  }
  return out;
}

/** Swap two axes (by default the last two). */
export function transpose(x: Tensor, a = -2, b = -1): Tensor {
  const perm = [...x.shape.keys()];
  const i = normAxis(a, x.rank, 'transpose');
  const j = normAxis(b, x.rank, 'transpose');
  [perm[i], perm[j]] = [perm[j], perm[i]];
  return permute(x, perm);
}

/** Python-style bounds for one axis (step > 0): negatives count from the end, out of range clamps. */
function sliceBounds(dim: number, start: number, end: number, step: number): [number, number] {
  if (!Number.isInteger(step) || step < 1) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const clampIdx = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
  const s = clampIdx(start);
  const e = clampIdx(end);
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

/**
 * x[starts[0]:ends[0]:steps[0], starts[1]:…], materialised. Shorter lists leave later axes whole;
 * negative indices count from the end and out-of-range ones clamp, as in Python; steps are ≥ 1.
 */
export function slice(x: Tensor, starts: readonly number[], ends?: readonly number[], steps?: readonly number[]): Tensor {
  if (starts.length > x.rank || (ends && ends.length > x.rank) || (steps && steps.length > x.rank)) {
    throw new Error(`slice: more bounds than the ${x.rank} axes of ${fmt(x.shape)}`);
  }
  const xs = stridesOf(x.shape);
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = 0;
  for (let k = 0; k < x.rank; k++) {
    const step = steps?.[k] ?? 1;
    const [s, len] = sliceBounds(x.shape[k], starts[k] ?? 0, ends?.[k] ?? x.shape[k], step);
    shape.push(len);
    strides.push(xs[k] * step);
    if (len > 0) offset += s * xs[k];
  }
  const out = Tensor.empty(shape, x.dtype);
  const from = { offset, strides };
  copyStrided(x, from, out, { offset: 0, strides: stridesOf(shape) }, shape);
  if (needsGrad(x)) {
    // Scatter into zeros: the sliced positions are distinct (step ≥ 1), so plain writes suffice.
    record('slice', out, [x], [], (g) => {
      const gx = zeros(x.shape);
      copyStrided(g, { offset: 0, strides: stridesOf(shape) }, gx, from, shape);
      return [gx];
    });
  }
  return out;
}

/** x[..., start:end:step, ...] along one axis. */
export function sliceAxis(x: Tensor, axis: number, start: number, end: number, step = 1): Tensor {
  const a = normAxis(axis, x.rank, 'sliceAxis');
  const starts = new Array<number>(a + 1).fill(0);
  const ends = x.shape.slice(0, a + 1);
  const steps = new Array<number>(a + 1).fill(1);
  starts[a] = start;
  ends[a] = end;
  steps[a] = step;
  return slice(x, starts, ends, steps);
}

/** Cut x along `axis` into parts of the given sizes (or into `sizes` equal parts when a number). */
export function split(x: Tensor, sizes: number | readonly number[], axis = 0): Tensor[] {
  const a = normAxis(axis, x.rank, 'split');
  const dim = x.shape[a];
  let list: readonly number[];
  if (typeof sizes === 'number') {
    if (!Number.isInteger(sizes) || sizes < 1 || dim % sizes !== 0) {
      throw new Error(`split: axis ${a} of ${fmt(x.shape)} does not split into ${sizes} equal parts`);
    }
    list = new Array<number>(sizes).fill(dim / sizes);
  } else {
    list = sizes;
  }
  if (list.reduce((n, d) => n + d, 0) !== dim || list.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`split: sizes [${list.join(', ')}] do not add up to axis ${a} of ${fmt(x.shape)}`);
  }
  let at = 0;
  return list.map((d) => sliceAxis(x, a, at, (at += d)));
}

/** Join tensors along an existing axis; each part is one strided copy into the output. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('concat: needs at least one tensor');
  const first = xs[0];
  const a = normAxis(axis, first.rank, 'concat');
  for (const t of xs) {
    const same = t.rank === first.rank && t.dtype === first.dtype && t.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!same) {
      throw new Error(`concat: ${t.dtype} ${fmt(t.shape)} does not match ${first.dtype} ${fmt(first.shape)} outside axis ${a}`);
    }
  }
  const shape = [...first.shape];
  shape[a] = xs.reduce((n, t) => n + t.shape[a], 0);
  const out = Tensor.empty(shape, first.dtype);
  const os = stridesOf(shape);
  const starts: number[] = [];
  let at = 0;
  for (const t of xs) {
    starts.push(at);
    copyStrided(t, { offset: 0, strides: stridesOf(t.shape) }, out, { offset: at * os[a], strides: os }, t.shape);
    at += t.shape[a];
  }
  if (needsGrad(...xs)) {
    record('concat', out, xs, [], (g) =>
      xs.map((t, i) => (t.requiresGrad ? sliceAxis(g, a, starts[i], starts[i] + t.shape[a]) : null)));
  }
  return out;
}

/** Join tensors along a new axis. */
export function stack(xs: readonly Tensor[], axis = 0): Tensor {
  if (xs.length === 0) throw new Error('stack: needs at least one tensor');
  const a = normAxis(axis, xs[0].rank + 1, 'stack');
  const parts = xs.map((t) => unsqueeze(t, a));
  const out = concat(parts, a);
  parts.forEach((p) => p.dispose());
  return out;
}

/** Broadcast to `shape` (NumPy rules; -1 keeps a dim), materialised. The backward sums back. */
export function expand(x: Tensor, shape: Shape): Tensor {
  const lead = shape.length - x.rank;
  if (lead < 0) throw new Error(`expand: cannot expand ${fmt(x.shape)} to the lower rank of ${fmt(shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  const xs = stridesOf(x.shape);
  const strides = target.map((d, i) => {
    if (i < lead) return 0;
    const own = x.shape[i - lead];
    if (own === d) return xs[i - lead];
    if (own === 1) return 0;
    throw new Error(`expand: ${fmt(x.shape)} does not broadcast to ${fmt(shape)}`);
  });
  const out = Tensor.empty(target, x.dtype);
  copyStrided(x, { offset: 0, strides }, out, { offset: 0, strides: stridesOf(target) }, target);
  record('expand', out, [x], [], (g) => [sumToShape(g, x.shape)]);
  return out;
}

export const broadcastTo = expand;
