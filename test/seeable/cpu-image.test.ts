import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bandGain, bandWeight, blurPlane, colorAffine, gaussianKernel, hsvShift, reflect101, resizePlane, sharpen, warpPlane,
} from '../../src/seeable/cpu-image.ts';
import { fft1d } from '../../src/seeable/fft.ts';
import type { ChwImage } from '../../src/seeable/image.ts';
import { convexHull, fillConvex, maskArea } from '../../src/seeable/raster.ts';
import { Rng } from '../../src/tensor/random.ts';

const rng = new Rng(17);
const randImage = (w: number, h: number): ChwImage => ({
  channels: 3, width: w, height: h, data: Float32Array.from({ length: 3 * w * h }, () => rng.uniform(0.05, 0.95)),
});
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('CPU image reference ops', () => {
  it('gaussianKernel follows OpenCV: fixed tables for k ≤ 7, σ(k) = 0.3((k−1)/2 − 1) + 0.8 beyond', () => {
    assert.deepEqual([...gaussianKernel(5, 0)], [0.0625, 0.25, 0.375, 0.25, 0.0625]);
    const k = gaussianKernel(9, 0);
    const s = 0.3 * (4 - 1) + 0.8;
    assert.ok(Math.abs(k[4] / k[3] - Math.exp(1 / (2 * s * s))) < 1e-12);
    assert.ok(Math.abs(k.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.throws(() => gaussianKernel(4, 1), /odd/);
  });
  it('reflect-101 indexing and a blur that preserves constants and matches a direct 2-D sum', () => {
    assert.deepEqual([-2, -1, 0, 4, 5, 6].map((i) => reflect101(i, 5)), [2, 1, 0, 4, 3, 2]);
    const w = 11, h = 7;
    const c = blurPlane(new Float32Array(w * h).fill(0.3), w, h, 9, 2.5);
    assert.ok(maxDiff(c, new Float32Array(w * h).fill(0.3)) < 1e-6);
    const x = Float32Array.from({ length: w * h }, () => rng.uniform());
    const y = blurPlane(x, w, h, 5, 1.3);
    const g = gaussianKernel(5, 1.3);
    let ref = 0;
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) ref += g[i] * g[j] * x[reflect101(0 + i - 2, h) * w + reflect101(10 + j - 2, w)];
    assert.ok(Math.abs(y[10] - ref) < 1e-6);
  });
  it('blur of a binary mask (constant lines take the fast path) matches a direct 2-D sum everywhere', () => {
    const w = 23, h = 17, k = 7, sigma = 1.7;
    const m = new Float32Array(w * h);
    for (let y = 5; y < 11; y++) for (let x = 8; x < 19; x++) m[y * w + x] = 1; // rows 0–4, 11–16 all 0
    for (let x = 0; x < w; x++) m[14 * w + x] = 1; // one all-1 row
    const out = blurPlane(m, w, h, k, sigma);
    const g = gaussianKernel(k, sigma);
    const r = (k - 1) / 2;
    let worst = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let ref = 0;
        for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) ref += g[i] * g[j] * m[reflect101(y + i - r, h) * w + reflect101(x + j - r, w)];
        assert.ok(Number.isFinite(out[y * w + x]), `blur (${x}, ${y}) is ${out[y * w + x]}`);
        worst = Math.max(worst, Math.abs(out[y * w + x] - ref));
      }
    }
    assert.ok(worst < 1e-6, `max |Δ| ${worst}`);
  });
  it('resize: identity at the same size; nearest picks floor(x·scale)', () => {
    const x = Float32Array.from({ length: 6 * 4 }, (_, i) => i);
    assert.deepEqual(resizePlane(x, 6, 4, 6, 4, 'linear'), x);
    assert.deepEqual([...resizePlane(x, 6, 4, 3, 2, 'nearest')], [0, 2, 4, 12, 14, 16]);
  });
  it('warp: the identity matrix copies, a unit shift moves by one pixel with a zero border', () => {
    const x = Float32Array.from({ length: 5 * 4 }, () => rng.uniform());
    assert.deepEqual(warpPlane(x, 5, 4, [1, 0, 0, 0, 1, 0], 'linear'), x);
    const s = warpPlane(x, 5, 4, [1, 0, -1, 0, 1, 0], 'linear'); // out(x) = in(x − 1)
    assert.equal(s[0], 0);
    assert.equal(s[6], x[5]);
  });
  it('the FFT matches a direct DFT', () => {
    const n = 16;
    const re = Float64Array.from({ length: n }, () => rng.normal());
    const im = Float64Array.from({ length: n }, () => rng.normal());
    const [r0, i0] = [re.slice(), im.slice()];
    fft1d(re, im);
    for (let k = 0; k < n; k++) {
      let sr = 0, si = 0;
      for (let t = 0; t < n; t++) {
        const a = (-2 * Math.PI * k * t) / n;
        sr += r0[t] * Math.cos(a) - i0[t] * Math.sin(a);
        si += r0[t] * Math.sin(a) + i0[t] * Math.cos(a);
      }
      assert.ok(Math.abs(re[k] - sr) < 1e-9 && Math.abs(im[k] - si) < 1e-9);
    }
  });
  it('band gain: g = 1 is the identity, attenuation lowers high-frequency energy, the band weight steps at ρ_lo', () => {
    const img = randImage(24, 24);
    assert.ok(maxDiff(bandGain(img, 0.5, 1).data, img.data) < 1e-6);
    const low = bandGain(img, 0.4, 0.1);
    const rough = (x: Float32Array) => { let s = 0; for (let i = 1; i < 24 * 24; i++) s += Math.abs(x[i] - x[i - 1]); return s; };
    assert.ok(rough(low.data) < 0.8 * rough(img.data));
    assert.equal(bandWeight(0.2, 0.5, 3), 1);
    assert.equal(bandWeight(0.9, 0.5, 3), 3);
    assert.ok(Math.abs(bandWeight(0.5, 0.5, 3) - 2) < 1e-12);
  });
  it('colour ops: zero shifts are the identity (HSV within float error), sharpen α = 0 is the identity', () => {
    const img = randImage(9, 8);
    assert.deepEqual(colorAffine(img, [1, 1, 1], [0, 0, 0]).data, img.data);
    assert.ok(maxDiff(hsvShift(img, 0, 0, 0).data, img.data) < 1e-6);
    assert.ok(maxDiff(sharpen(img, 0, 0.7).data, img.data) < 1e-6);
    const s = hsvShift(img, 0.5, 0, 0); // hue by half a turn: a different colour, same value (max channel)
    assert.ok(maxDiff(s.data, img.data) > 0.05);
  });
  it('raster: the hull of a square and its filled area (boundary included)', () => {
    const hull = convexHull([[2, 2], [6, 2], [6, 5], [2, 5], [4, 3]]);
    assert.equal(hull.length, 4);
    assert.equal(maskArea(fillConvex(hull, 10, 10)), 5 * 4);
    assert.equal(maskArea(fillConvex([[1, 1], [8, 1.2]], 10, 10)), 8); // a sliver still gets its pixels
  });
});
