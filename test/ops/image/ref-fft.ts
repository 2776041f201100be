// Float64 references for the FFT tests: a direct (separable) 2-D DFT and reflect-101 padding.
import { reflect101 } from './ref-image.ts';

/** Direct DFT along rows then columns of planes [B, H, W] interleaved complex (re, im). */
export function dft2(z: Float64Array, planes: number, h: number, w: number, inverse = false): Float64Array {
  const out = Float64Array.from(z);
  const pass = (n: number, stride: number, lineBase: (l: number) => number, lines: number) => {
    const cos = new Float64Array(n);
    const sin = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      cos[j] = Math.cos((2 * Math.PI * j) / n);
      sin[j] = (inverse ? 1 : -1) * Math.sin((2 * Math.PI * j) / n);
    }
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    for (let l = 0; l < lines; l++) {
      const b = lineBase(l);
      for (let q = 0; q < n; q++) {
        re[q] = out[2 * (b + q * stride)];
        im[q] = out[2 * (b + q * stride) + 1];
      }
      for (let k = 0; k < n; k++) {
        let sr = 0;
        let si = 0;
        for (let q = 0; q < n; q++) {
          const a = (k * q) % n;
          sr += re[q] * cos[a] - im[q] * sin[a];
          si += re[q] * sin[a] + im[q] * cos[a];
        }
        out[2 * (b + k * stride)] = sr;
        out[2 * (b + k * stride) + 1] = si;
      }
    }
  };
  pass(w, 1, (l) => l * w, planes * h);
  pass(h, w, (l) => Math.floor(l / w) * h * w + (l % w), planes * w);
  if (inverse) for (let i = 0; i < out.length; i++) out[i] /= h * w;
  return out;
}

/** Real planes [B, h, w] mirror-padded into complex planes [B, ph, pw] at (top, left). */
export function padComplexRef(x: Float64Array, planes: number, h: number, w: number, ph: number, pw: number, top: number, left: number): Float64Array {
  const out = new Float64Array(planes * ph * pw * 2);
  for (let b = 0; b < planes; b++) {
    for (let y = 0; y < ph; y++) {
      for (let xx = 0; xx < pw; xx++) {
        out[2 * ((b * ph + y) * pw + xx)] = x[(b * h + reflect101(y - top, h)) * w + reflect101(xx - left, w)];
      }
    }
  }
  return out;
}
