import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { affineInverse, dynamicBlend, elastic, elasticField, sampleMaskParams } from '../../src/seeable/soft-mask.ts';
import { Rng } from '../../src/tensor/random.ts';

function stats(f: Float32Array, w: number, lag: number) {
  let s = 0, s2 = 0, c = 0, n = 0;
  for (let i = 0; i < f.length; i++) (s += f[i]), (s2 += f[i] * f[i]);
  const mean = s / f.length;
  const v = s2 / f.length - mean * mean;
  for (let i = 0; i < f.length; i++) if (i % w < w - lag) (c += (f[i] - mean) * (f[i + lag] - mean)), n++;
  return { std: Math.sqrt(v), corr: c / n / v };
}

describe('soft mask', () => {
  it('the coarse elastic field has the statistics of the full-resolution one (std, correlation at lag σ)', () => {
    const w = 160, sigma = 8;
    const fine = { std: 0, corr: 0 }, coarse = { std: 0, corr: 0 };
    for (let r = 0; r < 6; r++) {
      const a = stats(elasticField(w, w, sigma, new Rng(r), false), w, sigma);
      const b = stats(elasticField(w, w, sigma, new Rng(100 + r), true), w, sigma);
      (fine.std += a.std / 6), (fine.corr += a.corr / 6), (coarse.std += b.std / 6), (coarse.corr += b.corr / 6);
    }
    // a Gaussian-smoothed white field: std = σ_noise / (2√π σ), correlation exp(−lag²/4σ²) = e^(−1/4)
    const expectStd = Math.sqrt(1 / 3) / (2 * Math.sqrt(Math.PI) * sigma);
    assert.ok(Math.abs(fine.std / expectStd - 1) < 0.15, `fine std ${fine.std} vs ${expectStd}`);
    assert.ok(Math.abs(coarse.std / fine.std - 1) < 0.2, `coarse std ${coarse.std} vs fine ${fine.std}`);
    assert.ok(Math.abs(fine.corr - Math.exp(-0.25)) < 0.1, `fine corr ${fine.corr}`);
    assert.ok(Math.abs(coarse.corr - fine.corr) < 0.12, `coarse corr ${coarse.corr} vs fine ${fine.corr}`);
  });

  it('elastic moves a mask edge by about a pixel and keeps its area roughly', () => {
    const w = 64;
    const m = new Float32Array(w * w);
    for (let y = 20; y < 44; y++) for (let x = 20; x < 44; x++) m[y * w + x] = 1;
    const e = elastic(m, w, w, { seed: 3, alpha: 50, sigma: 7 });
    const area = e.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(area - 576) < 0.2 * 576, `area ${area}`);
    let changed = 0;
    e.forEach((v, i) => (changed += v !== m[i] ? 1 : 0));
    assert.ok(changed > 0 && changed < 200, `${changed} pixels changed`);
  });

  it('the affine inverse maps the centre to itself (minus the shift) and scales about it', () => {
    const inv = affineInverse(33, 1.02, 1.5, -0.5);
    const c = 16;
    const at = (x: number, y: number) => [inv[0] * x + inv[1] * y + inv[2], inv[3] * x + inv[4] * y + inv[5]];
    const [u, v] = at(c + 1.5, c - 0.5);
    assert.ok(Math.abs(u - c) < 1e-12 && Math.abs(v - c) < 1e-12);
    const [u2] = at(c + 1.5 + 10.2, c);
    assert.ok(Math.abs(u2 - (c + 10)) < 1e-12);
  });

  it('dynamic blend: a soft bump peaking at the ratio; pixel-unit parameters follow the crop scale', () => {
    const rng = new Rng(5);
    const units = { size: 64, wideRatio: { x: 1.7, y: 1.6 }, scale: { x: 0.9, y: 0.9 } };
    const p = { ...sampleMaskParams(rng, units), ratio: 0.5 };
    assert.ok(p.resizeW >= Math.round(192 / 1.7) && p.resizeW <= Math.round(256 / 1.7));
    assert.ok(Math.abs(p.elastic.sigma - 7 * 0.9) < 1e-12);
    const m = new Float32Array(64 * 64);
    for (let y = 24; y < 40; y++) for (let x = 20; x < 44; x++) m[y * 64 + x] = 1;
    const soft = dynamicBlend(m, 64, 64, p);
    const peak = Math.max(...soft);
    assert.ok(peak <= 0.5 + 1e-6 && peak > 0.45, `peak ${peak}`);
    assert.ok(soft[32 * 64 + 32] > 0.4 && soft[2 * 64 + 2] < 1e-3);
  });
});
