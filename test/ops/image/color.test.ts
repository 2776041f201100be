import { before, describe, it } from 'node:test';
import { brightnessContrast, downUpResample, hsvShift, rgbShift, sharpen, type HsvShift } from '../../../src/ops/image/color.ts';
import { Rng } from '../../../src/tensor/random.ts';
import { checkOp, setupGpu } from '../../helpers/harness.ts';
import { nd, type Nd } from '../../helpers/nd.ts';
import { clamp, clip01, reflect101, sample } from './ref-image.ts';

before(setupGpu);

const unit = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform()));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const dims = (s: number[]) => (s.length === 4 ? s : [1, ...s]) as [number, number, number, number];

/** Apply f(value, image, channel) to every element. */
function perElement(x: Nd, f: (v: number, img: number, ch: number) => number): Nd {
  const [, c, h, w] = dims(x.shape);
  return nd(x.data.map((v, i) => { const pl = Math.floor(i / (h * w)); return f(v, Math.floor(pl / c), pl % c); }), x.shape);
}

// OpenCV's float RGB↔HSV (cvtColor RGB2HSV / HSV2RGB), float64.
const EPS = 1.1920928955078125e-7;
function rgb2hsv(r: number, g: number, b: number): [number, number, number] {
  const v = Math.max(r, g, b), vmin = Math.min(r, g, b);
  const s = (v - vmin) / (Math.abs(v) + EPS);
  const d = 60 / (v - vmin + EPS);
  let h = v === r ? (g - b) * d : v === g ? (b - r) * d + 120 : (r - g) * d + 240;
  if (h < 0) h += 360;
  return [h, s, v];
}
function hsv2rgb(h: number, s: number, v: number): [number, number, number] {
  if (s === 0) return [v, v, v];
  let hh = (h / 60) % 6;
  if (hh < 0) hh += 6;
  const sector = Math.floor(hh), f = hh - sector;
  const t = [v, v * (1 - s), v * (1 - s * f), v * (1 - s * (1 - f))];
  const bgr = [[1, 3, 0], [1, 0, 2], [3, 0, 1], [0, 2, 1], [0, 1, 3], [2, 1, 0]][sector];
  return [t[bgr[2]], t[bgr[1]], t[bgr[0]]];
}

describe('colour alterations vs float64', () => {
  const rng = new Rng(21);
  it('rgbShift, one shift per image, clipped', async () => {
    const shape = [2, 3, 19, 23];
    const shifts = [[0.07, -0.05, 0.02], [-0.078, 0.078, 0.01]];
    await checkOp('rgb-shift', {
      inputs: [{ shape, values: unit(rng, size(shape)) }],
      run: (x) => rgbShift(x, shifts),
      ref: (x) => perElement(x, (v, i, c) => clip01(v + Math.fround(shifts[i][c]))),
      tol: { rel: 1e-6, abs: 1e-7 },
      noGrad: true,
    });
  });
  it('brightnessContrast, shared parameters on [C, H, W]', async () => {
    const shape = [3, 29, 17];
    const p = { brightness: 0.08, contrast: -0.27 };
    await checkOp('brightness-contrast', {
      inputs: [{ shape, values: unit(rng, size(shape)) }],
      run: (x) => brightnessContrast(x, p),
      ref: (x) => perElement(x, (v) => clip01(Math.fround(1 + p.contrast) * v + Math.fround(p.brightness))),
      tol: { rel: 1e-6, abs: 1e-7 },
      noGrad: true,
    });
  });
  it('hsvShift per image (including a wrap past 360° and saturation clipping)', async () => {
    const shape = [3, 3, 13, 21];
    const ps: HsvShift[] = [{ hue: 0.3, sat: -0.3, val: 0.3 }, { hue: -170, sat: 0.25, val: -0.2 }, { hue: 359, sat: 0.6, val: 0 }];
    await checkOp('hsv-shift', {
      inputs: [{ shape, values: unit(rng, size(shape)) }],
      run: (x) => hsvShift(x, ps),
      ref: (x) => {
        const [n, , h, w] = dims(x.shape);
        const out = new Float64Array(x.data.length);
        for (let i = 0; i < n; i++) {
          for (let q = 0; q < h * w; q++) {
            const at = (c: number) => i * 3 * h * w + c * h * w + q;
            const [hh, s, v] = rgb2hsv(x.data[at(0)], x.data[at(1)], x.data[at(2)]);
            let h2 = (hh + Math.fround(ps[i].hue)) % 360;
            if (h2 < 0) h2 += 360;
            const rgb = hsv2rgb(h2, clip01(s + Math.fround(ps[i].sat)), clip01(v + Math.fround(ps[i].val)));
            rgb.forEach((val, c) => (out[at(c)] = val));
          }
        }
        return nd(out, x.shape);
      },
      tol: { rel: 1e-5, abs: 1e-6 },
      noGrad: true,
    });
  });
  for (const shape of [[2, 3, 17, 26], [2, 3, 1, 5], [2, 1, 2, 1]]) it(`sharpen (albumentations kernel, reflect-101, clipped) per image [${shape}]`, async () => {
    const ps = [{ alpha: 0.2, lightness: 0.5 }, { alpha: 0.5, lightness: 1 }];
    await checkOp(`sharpen-${shape}`, {
      inputs: [{ shape, values: unit(rng, size(shape)) }],
      run: (x) => sharpen(x, ps),
      ref: (x) => {
        const [, c, h, w] = dims(x.shape);
        const out = new Float64Array(x.data.length);
        for (let i = 0; i < out.length; i++) {
          const xx = i % w, yy = Math.floor(i / w) % h, pl = Math.floor(i / (h * w));
          const { alpha: a, lightness: l } = ps[Math.floor(pl / c)];
          let acc = 0;
          for (let dy = -1; dy <= 1; dy++) {
            for (let dx = -1; dx <= 1; dx++) {
              const k = dy === 0 && dx === 0 ? (1 - a) + a * (8 + l) : -a;
              acc += k * x.data[pl * h * w + reflect101(yy + dy, h) * w + reflect101(xx + dx, w)];
            }
          }
          out[i] = clip01(acc);
        }
        return nd(out, x.shape);
      },
      tol: { rel: 2e-6, abs: 1e-6 },
      noGrad: true,
    });
  });
  for (const [shape, r] of [[[3, 37, 45], 2], [[2, 3, 29, 30], 4], [[1, 7, 5], 4]] as [number[], number][]) {
    it(`downUpResample ×${r} [${shape}] (nearest down, linear up)`, async () => {
      await checkOp(`down-up-${r}-${shape}`, {
        inputs: [{ shape, values: unit(rng, size(shape)) }],
        run: (x) => downUpResample(x, r),
        ref: (x) => {
          const h = shape[shape.length - 2], w = shape[shape.length - 1];
          const dh = Math.max(1, Math.floor(h / r)), dw = Math.max(1, Math.floor(w / r));
          const planes = x.data.length / (h * w);
          const small = new Float64Array(planes * dh * dw);
          for (let i = 0; i < small.length; i++) {
            const xx = i % dw, yy = Math.floor(i / dw) % dh, pl = Math.floor(i / (dh * dw));
            small[i] = x.data[pl * h * w + Math.min(h - 1, Math.floor((yy * h) / dh)) * w + Math.min(w - 1, Math.floor((xx * w) / dw))];
          }
          const out = new Float64Array(x.data.length);
          for (let i = 0; i < out.length; i++) {
            const xx = i % w, yy = Math.floor(i / w) % h, pl = Math.floor(i / (h * w));
            const sy = clamp((yy + 0.5) * (dh / h) - 0.5, 0, dh - 1), sx = clamp((xx + 0.5) * (dw / w) - 0.5, 0, dw - 1);
            out[i] = sample(small, pl * dh * dw, dh, dw, sy, sx, 'bilinear', 'reflect101');
          }
          return nd(out, x.shape);
        },
        tol: { rel: 1e-5, abs: 1e-6 },
        noGrad: true,
      });
    });
  }
});
