// Float64 n-d arrays for the CPU references, with NumPy broadcasting.
export interface Nd {
  data: Float64Array;
  shape: number[];
}

export function nd(data: ArrayLike<number>, shape: readonly number[]): Nd {
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) throw new Error(`nd: ${data.length} values for shape [${shape}]`);
  return { data: Float64Array.from(data), shape: [...shape] };
}

export function strides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  return Array.from({ length: r }, (_, i) => {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`ref: shapes [${a}] and [${b}] do not broadcast`);
    return Math.max(da, db) === 1 ? 1 : da === 1 ? db : da;
  });
}

/** Element of `x` at the multi-index `idx` of a (broadcast) output of rank idx.length. */
export function at(x: Nd, idx: readonly number[]): number {
  let off = 0;
  const st = strides(x.shape);
  const lead = idx.length - x.shape.length;
  for (let i = 0; i < x.shape.length; i++) off += (x.shape[i] === 1 ? 0 : idx[lead + i]) * st[i];
  return x.data[off];
}

export function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}

export function map2(a: Nd, b: Nd, f: (x: number, y: number) => number): Nd {
  const shape = broadcastShape(a.shape, b.shape);
  const n = shape.reduce((p, q) => p * q, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    out[i] = f(at(a, idx), at(b, idx));
  }
  return { data: out, shape };
}

export function map1(a: Nd, f: (x: number) => number): Nd {
  return { data: a.data.map(f), shape: [...a.shape] };
}

/** Reduce the given axes (keepdims), with an associative f and its identity. */
export function reduceAxes(x: Nd, axes: readonly number[], f: (acc: number, v: number) => number, init: number): Nd {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n).fill(init);
  const st = strides(shape);
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape);
    let o = 0;
    for (let d = 0; d < idx.length; d++) o += (axes.includes(d) ? 0 : idx[d]) * st[d];
    out[o] = f(out[o], x.data[i]);
  }
  return { data: out, shape };
}
