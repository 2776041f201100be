// In-place radix-2 complex FFT on the CPU (iterative Cooley–Tukey), and a 2-D transform over a
// P×P plane. Used by the CPU reference of the frequency alteration; the GPU path is in src/ops/image.

/** Forward (sign −1) or inverse (sign +1, unscaled) FFT of n = 2^k points, re/im in place. */
export function fft1d(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft1d: length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (sign * 2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** 2-D FFT of a P×P plane (rows then columns); the inverse is scaled by 1/P². */
export function fft2d(re: Float64Array, im: Float64Array, p: number, inverse = false): void {
  const rr = new Float64Array(p);
  const ri = new Float64Array(p);
  for (let pass = 0; pass < 2; pass++) {
    for (let a = 0; a < p; a++) {
      for (let b = 0; b < p; b++) {
        const idx = pass === 0 ? a * p + b : b * p + a;
        rr[b] = re[idx];
        ri[b] = im[idx];
      }
      fft1d(rr, ri, inverse);
      for (let b = 0; b < p; b++) {
        const idx = pass === 0 ? a * p + b : b * p + a;
        re[idx] = rr[b];
        im[idx] = ri[b];
      }
    }
  }
  if (inverse) {
    const s = 1 / (p * p);
    for (let i = 0; i < re.length; i++) (re[i] *= s), (im[i] *= s);
  }
}

export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}
