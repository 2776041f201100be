import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { blend, scaleByPlaneMax, threshold } from '../../../src/ops/image/blend.ts';
import { elasticDisplacement, elasticTransform } from '../../../src/ops/image/elastic.ts';
import { sampleSoftMaskParams, softMask, softMasks, type SoftMaskParams } from '../../../src/ops/image/soft-mask.ts';
import { tensor } from '../../../src/tensor/create.ts';
import { Rng } from '../../../src/tensor/random.ts';
import { assertClose, checkOp, setupGpu } from '../../helpers/harness.ts';
import { nd } from '../../helpers/nd.ts';
import { clamp, gaussianRef, reflect, reflect101, sample } from './ref-image.ts';

before(setupGpu);

const unit = (rng: Rng, n: number) => Float64Array.from({ length: n }, () => Math.fround(rng.uniform()));

describe('blend and mask helpers vs float64', () => {
  const rng = new Rng(31);
  it('blend with one mask per image and per-image ratios', async () => {
    const [n, c, h, w] = [3, 3, 17, 23];
    const ratios = [0.25, 1, 0.75];
    await checkOp('blend-per-image', {
      inputs: [{ shape: [n, c, h, w] }, { shape: [n, c, h, w] }, { shape: [n, 1, h, w], values: unit(rng, n * h * w) }],
      run: (s, t, m) => blend(s, t, m, ratios),
      ref: (s, t, m) => nd(s.data.map((v, i) => {
        const img = Math.floor(i / (c * h * w));
        const mm = m.data[img * h * w + (i % (h * w))] * Math.fround(ratios[img]);
        return mm * v + (1 - mm) * t.data[i];
      }), s.shape),
      tol: { rel: 2e-6, abs: 1e-6 },
      noGrad: true,
    });
  });
  it('blend with one [H, W] mask for a [C, H, W] image', async () => {
    const [c, h, w] = [3, 29, 31];
    await checkOp('blend-shared', {
      inputs: [{ shape: [c, h, w] }, { shape: [c, h, w] }, { shape: [h, w], values: unit(rng, h * w) }],
      run: (s, t, m) => blend(s, t, m),
      ref: (s, t, m) => nd(s.data.map((v, i) => m.data[i % (h * w)] * v + (1 - m.data[i % (h * w)]) * t.data[i]), s.shape),
      tol: { rel: 2e-6, abs: 1e-6 },
      noGrad: true,
    });
  });
  it('threshold', async () => {
    await checkOp('threshold', {
      inputs: [{ shape: [5, 37, 3] }],
      run: (x) => threshold(x, 0.25),
      ref: (x) => nd(x.data.map((v) => (v >= Math.fround(0.25) ? 1 : 0)), x.shape),
      tol: { rel: 0, abs: 0 },
      noGrad: true,
    });
  });
  it('a grid past 65,535 workgroups folds into y (threshold over 65,536·256 + 17 elements)', async () => {
    await checkOp('threshold-large', {
      inputs: [{ shape: [65536 * 256 + 17] }],
      run: (x) => threshold(x, 0),
      ref: (x) => nd(x.data.map((v) => (v >= 0 ? 1 : 0)), x.shape),
      tol: { rel: 0, abs: 0 },
      noGrad: true,
    });
  });
  it('scaleByPlaneMax, an all-zero plane stays 0', async () => {
    const [n, h, w] = [3, 19, 27];
    const vals = unit(rng, n * h * w);
    vals.fill(0, h * w, 2 * h * w);
    await checkOp('scale-by-max', {
      inputs: [{ shape: [n, 1, h, w], values: vals }],
      run: (x) => scaleByPlaneMax(x, [0.5, 1, 0.75]),
      ref: (x) => {
        const out = new Float64Array(x.data.length);
        for (let p = 0; p < n; p++) {
          const plane = x.data.subarray(p * h * w, (p + 1) * h * w);
          const m = Math.max(...plane);
          plane.forEach((v, i) => (out[p * h * w + i] = m > 0 ? (v * [0.5, 1, 0.75][p]) / m : 0));
        }
        return nd(out, x.shape);
      },
      tol: { rel: 1e-6, abs: 1e-7 },
      noGrad: true,
    });
  });
});

// ---- composed helpers ----
function resizeRef(x: Float64Array, h: number, w: number, oh: number, ow: number): Float64Array {
  const out = new Float64Array(oh * ow);
  for (let i = 0; i < out.length; i++) {
    const xx = i % ow, yy = Math.floor(i / ow);
    const sy = clamp((yy + 0.5) * (h / oh) - 0.5, 0, h - 1), sx = clamp((xx + 0.5) * (w / ow) - 0.5, 0, w - 1);
    out[i] = sample(x, 0, h, w, sy, sx, 'bilinear', 'reflect101');
  }
  return out;
}
function blurRef(x: Float64Array, h: number, w: number, k: number[], fold: (i: number, n: number) => number): Float64Array {
  const r = (k.length - 1) / 2;
  const mid = new Float64Array(x.length);
  const out = new Float64Array(x.length);
  for (let y = 0; y < h; y++) for (let q = 0; q < w; q++) {
    let a = 0;
    for (let j = -r; j <= r; j++) a += k[j + r] * x[y * w + fold(q + j, w)];
    mid[y * w + q] = a;
  }
  for (let q = 0; q < w; q++) for (let y = 0; y < h; y++) {
    let a = 0;
    for (let j = -r; j <= r; j++) a += k[j + r] * mid[fold(y + j, h) * w + q];
    out[y * w + q] = a;
  }
  return out;
}
/** A binary ellipse mask. */
function ellipse(h: number, w: number, cy: number, cx: number, ry: number, rx: number): Float64Array {
  return Float64Array.from({ length: h * w }, (_, i) => (((Math.floor(i / w) - cy) / ry) ** 2 + (((i % w) - cx) / rx) ** 2 <= 1 ? 1 : 0));
}

describe('soft mask (SBI dynamic blend) vs a float64 composition', () => {
  const cases: [number, number, SoftMaskParams][] = [
    [150, 130, { sizeH: 201, sizeW: 256, k1: 5, k2: 25, sigma2: 45, ratio: 0.75 }],
    [97, 121, { sizeH: 193, sizeW: 231, k1: 17, k2: 7, sigma2: 5, ratio: 1 }],
  ];
  for (const [h, w, p] of cases) {
    it(`${h}×${w} via ${p.sizeH}×${p.sizeW}, k1 ${p.k1}, k2 ${p.k2}, σ2 ${p.sigma2}`, async () => {
      const m = ellipse(h, w, h * 0.55, w * 0.45, h * 0.3, w * 0.25);
      const small = resizeRef(m, h, w, p.sizeH, p.sizeW);
      const b1 = blurRef(small, p.sizeH, p.sizeW, gaussianRef(p.k1, 0), reflect101);
      // The threshold at 0.5 is a discontinuity: the case must have no value within 1e-4 of it.
      assert.ok(b1.every((v) => Math.abs(v - 0.5) > 1e-4), 'ambiguous threshold in the test case');
      const b2 = blurRef(b1.map((v) => (v >= 0.5 ? 1 : 0)), p.sizeH, p.sizeW, gaussianRef(p.k2, p.sigma2), reflect101);
      const mx = Math.max(...b2);
      const ref = resizeRef(b2.map((v) => (v / mx) * p.ratio), p.sizeH, p.sizeW, h, w);
      const out = softMask(tensor(m, [h, w]), p);
      assertClose(await out.read(), ref, { rel: 1e-5, abs: 1e-6 }, 'softMask');
      out.dispose();
    });
  }
  it('softMasks over a batch equals softMask of each', async () => {
    const rng = new Rng(4);
    const [h, w] = [64, 48];
    const ps = [sampleSoftMaskParams(rng), sampleSoftMaskParams(rng)];
    const a = ellipse(h, w, 30, 20, 15, 12), b = ellipse(h, w, 25, 26, 20, 9);
    const both = softMasks(tensor([...a, ...b], [2, 1, h, w]), ps);
    const got = await both.read();
    const one = [await softMask(tensor(a, [h, w]), ps[0]).read(), await softMask(tensor(b, [h, w]), ps[1]).read()];
    assertClose(got, [...one[0], ...one[1]], { rel: 0, abs: 0 }, 'softMasks');
    for (const q of ps) {
      assert.ok(q.sizeH >= 192 && q.sizeH <= 256 && q.k1 % 2 === 1 && q.k1 >= 5 && q.k1 <= 25 && q.sigma2 >= 5 && q.sigma2 <= 45);
    }
  });
});

describe('elastic deformation vs float64', () => {
  it('displacement = α·scipy gaussian_filter(U(−1, 1), σ); nearest remap with reflect-101', async () => {
    const [h, w] = [45, 38];
    const seed = 99;
    const { dx, dy } = elasticDisplacement(h, w, new Rng(seed), { alpha: 50, sigma: 7 });
    // Same draws on the host: dx's noise, then dy's.
    const rng = new Rng(seed);
    const noise = () => Float64Array.from({ length: h * w }, () => Math.fround(rng.uniform(-1, 1)));
    const r = Math.floor(4 * 7 + 0.5);
    const k0 = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / 7) ** 2));
    const ks = k0.reduce((a, b) => a + b, 0);
    const k = k0.map((v) => v / ks);
    const refDx = blurRef(noise(), h, w, k, reflect).map((v) => v * 50);
    const refDy = blurRef(noise(), h, w, k, reflect).map((v) => v * 50);
    assertClose(await dx.read(), refDx, { rel: 2e-6, abs: 1e-6 }, 'dx');
    assertClose(await dy.read(), refDy, { rel: 2e-6, abs: 1e-6 }, 'dy');
    const img = new Rng(5);
    const x = Float64Array.from({ length: 2 * h * w }, () => Math.fround(img.uniform()));
    const out = await elasticTransform(tensor(x, [2, h, w]), new Rng(seed)).read();
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < out.length; i++) {
      const q = i % (h * w), pl = Math.floor(i / (h * w));
      const sx = (q % w) + refDx[q], sy = Math.floor(q / w) + refDy[q];
      const tie = (v: number) => Math.abs(v - Math.floor(v) - 0.5) < 1e-3;
      if (tie(sx) || tie(sy)) continue; // f32 vs f64 field may round the other way
      got.push(out[i]);
      want.push(sample(x, pl * h * w, h, w, sy, sx, 'nearest', 'reflect101'));
    }
    assert.ok(got.length > 0.95 * out.length);
    assertClose(got, want, { rel: 0, abs: 0 }, 'elastic remap');
  });
});
