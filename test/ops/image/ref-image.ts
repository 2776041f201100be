// Float64 references shared by the image-op tests: border rules, sampling, OpenCV's Gaussian kernel.

/** OpenCV BORDER_REFLECT_101: …c b | a b c d | c b… */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - m : m;
}

/** OpenCV BORDER_REFLECT / scipy 'reflect': …b a | a b c d | d c… */
export function reflect(i: number, n: number): number {
  const period = 2 * n;
  let m = i % period;
  if (m < 0) m += period;
  return m >= n ? period - 1 - m : m;
}

export const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
export const clip01 = (v: number) => clamp(v, 0, 1);

/** Plain-double Gaussian weights by OpenCV's rules (σ ≤ 0 → from k; fixed tables for k ≤ 7). */
export function gaussianRef(k: number, sigma: number): number[] {
  const tables: Record<number, number[]> = {
    1: [1],
    3: [0.25, 0.5, 0.25],
    5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
    7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
  };
  if (sigma <= 0 && tables[k]) return tables[k];
  const s = sigma > 0 ? sigma : 0.3 * ((k - 1) * 0.5 - 1) + 0.8;
  const w = Array.from({ length: k }, (_, i) => Math.exp(-((i - (k - 1) / 2) ** 2) / (2 * s * s)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

/** A plane accessor with a border rule; 'constant' returns `value` outside. */
export type Border = 'constant' | 'reflect101' | 'reflect';
export function fetch(x: ArrayLike<number>, base: number, h: number, w: number, yy: number, xx: number, border: Border, value = 0): number {
  if (border === 'constant') return yy < 0 || yy >= h || xx < 0 || xx >= w ? value : x[base + yy * w + xx];
  const f = border === 'reflect101' ? reflect101 : reflect;
  return x[base + f(yy, h) * w + f(xx, w)];
}

/** Bilinear (floor + fractions) or nearest (floor(v + 0.5)) sample at (sy, sx), OpenCV remap style. */
export function sample(x: ArrayLike<number>, base: number, h: number, w: number, sy: number, sx: number,
  interp: 'bilinear' | 'nearest', border: Border, value = 0): number {
  if (interp === 'nearest') return fetch(x, base, h, w, Math.floor(sy + 0.5), Math.floor(sx + 0.5), border, value);
  const y0 = Math.floor(sy);
  const x0 = Math.floor(sx);
  const fy = sy - y0;
  const fx = sx - x0;
  const g = (dy: number, dx: number) => fetch(x, base, h, w, y0 + dy, x0 + dx, border, value);
  return (1 - fy) * ((1 - fx) * g(0, 0) + fx * g(0, 1)) + fy * ((1 - fx) * g(1, 0) + fx * g(1, 1));
}
