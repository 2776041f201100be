// Float64 reference convolution (NCHW, OIHW weights), written independently of src/ops: its own
// SAME-padding arithmetic (TensorFlow's rule: the odd pixel goes bottom/right), direct 7-loop sum.
import type { Nd } from './nd.ts';

export interface RefConvOptions {
  stride?: number | [number, number];
  padding?: number | [number, number] | 'same';
  dilation?: number | [number, number];
  groups?: number;
}

const two = (v: number | [number, number] | undefined): [number, number] => (v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v);

/** TF SAME padding [before, after] for one axis. */
export function refSamePad(n: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(n / s);
  const total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - n);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

export function refConv2d(x: Nd, w: Nd, bias: Nd | null, o: RefConvOptions = {}): Nd {
  const [N, C, H, W] = x.shape;
  const [Cout, Cig, kh, kw] = w.shape;
  const G = o.groups ?? 1;
  const [sh, sw] = two(o.stride);
  const [dh, dw] = two(o.dilation);
  let pt: number, pb: number, pl: number, pr: number;
  if (o.padding === 'same') {
    [pt, pb] = refSamePad(H, kh, sh, dh);
    [pl, pr] = refSamePad(W, kw, sw, dw);
  } else {
    const [ph, pw] = two(o.padding ?? 0);
    [pt, pb, pl, pr] = [ph, ph, pw, pw];
  }
  const OH = Math.floor((H + pt + pb - (kh - 1) * dh - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - (kw - 1) * dw - 1) / sw) + 1;
  const Cog = Cout / G;
  if (Cig * G !== C) throw new Error('refConv2d: channel mismatch');
  const out = new Float64Array(N * Cout * OH * OW);
  for (let n = 0; n < N; n++) {
    for (let co = 0; co < Cout; co++) {
      const g = Math.floor(co / Cog);
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = bias ? bias.data[co] : 0;
          for (let ci = 0; ci < Cig; ci++) {
            const c = g * Cig + ci;
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= H) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= W) continue;
                s += x.data[((n * C + c) * H + iy) * W + ix] * w.data[((co * Cig + ci) * kh + ky) * kw + kx];
              }
            }
          }
          out[((n * Cout + co) * OH + oy) * OW + ox] = s;
        }
      }
    }
  }
  return { data: out, shape: [N, Cout, OH, OW] };
}
