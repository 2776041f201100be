import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gaussianBlur, gaussianKernel1d, scipyGaussianKernel1d, separableBlur, type BlurBorder, type BlurSpec } from '../../../src/ops/image/blur.ts';
import { checkOp, setupGpu } from '../../helpers/harness.ts';
import { nd, type Nd } from '../../helpers/nd.ts';
import { gaussianRef, reflect, reflect101 } from './ref-image.ts';

before(setupGpu);

/** Float64 separable filter (rows, then columns) of [N, C, H, W] with one kernel per image. */
function refBlur(x: Nd, kernels: number[][], border: BlurBorder): Nd {
  const s = x.shape;
  const h = s[s.length - 2], w = s[s.length - 1];
  const c = s.length === 4 ? s[1] : s.length === 3 ? s[0] : 1;
  const planes = x.data.length / (h * w);
  const idx = (i: number, n: number) => {
    if (i >= 0 && i < n) return i;
    if (border === 'reflect101') return reflect101(i, n);
    if (border === 'reflect') return reflect(i, n);
    if (border === 'replicate') return Math.min(n - 1, Math.max(0, i));
    return -1;
  };
  const line = (src: Float64Array, dst: Float64Array, start: number, n: number, step: number, k: number[]) => {
    const r = (k.length - 1) / 2;
    for (let q = 0; q < n; q++) {
      let acc = 0;
      for (let j = -r; j <= r; j++) {
        const i = idx(q + j, n);
        if (i >= 0) acc += k[j + r] * src[start + i * step];
      }
      dst[start + q * step] = acc;
    }
  };
  const mid = new Float64Array(x.data.length);
  const out = new Float64Array(x.data.length);
  for (let pl = 0; pl < planes; pl++) {
    const k = kernels[kernels.length === 1 ? 0 : Math.floor(pl / c)];
    for (let y = 0; y < h; y++) line(x.data, mid, pl * h * w + y * w, w, 1, k);
    for (let xx = 0; xx < w; xx++) line(mid, out, pl * h * w + xx, h, w, k);
  }
  return nd(out, s);
}

describe('gaussianBlur vs float64 (cv2.GaussianBlur rules)', () => {
  const cases: [string, number[], BlurSpec[], BlurBorder][] = [
    ['k 5, σ from the fixed table', [3, 37, 45], [{ k: 5 }], 'reflect101'],
    ['k 7, σ from the fixed table', [3, 37, 45], [{ k: 7 }], 'reflect101'],
    ['k 25, σ from k', [1, 53, 41], [{ k: 25 }], 'reflect101'],
    ['k 15, σ 30 (nearly a box)', [2, 3, 19, 33], [{ k: 15, sigma: 30 }], 'reflect101'],
    ['one window per image', [3, 1, 29, 31], [{ k: 5 }, { k: 13, sigma: 0 }, { k: 25, sigma: 11 }], 'reflect101'],
    ['window wider than the image folds repeatedly', [1, 1, 3, 2], [{ k: 9, sigma: 2 }], 'reflect101'],
    ['replicate border', [2, 17, 9], [{ k: 11 }], 'replicate'],
    ['constant-0 border', [2, 17, 9], [{ k: 11 }], 'constant'],
    ['k from σ (k ≤ 0)', [1, 30, 30], [{ k: 0, sigma: 1.7 }], 'reflect101'],
  ];
  for (const [name, shape, specs, border] of cases) {
    it(`${name} [${shape}]`, async () => {
      await checkOp(`blur-${name}`, {
        inputs: [{ shape }],
        run: (x) => gaussianBlur(x, specs, border),
        ref: (x) => refBlur(x, specs.map((s) => gaussianRef(s.k > 0 ? s.k : Math.round((s.sigma ?? 0) * 8 + 1) | 1, s.sigma ?? 0)), border),
        tol: { rel: 2e-6, abs: 1e-6 },
        noGrad: true,
      });
    });
  }
  it('scipy gaussian_filter kernel (σ 7, radius 28) with the reflect border', async () => {
    const k = scipyGaussianKernel1d(7);
    assert.equal(k.length, 57);
    await checkOp('blur-scipy', {
      inputs: [{ shape: [40, 33] }],
      run: (x) => separableBlur(x, [k], 'reflect'),
      ref: (x) => refBlur(x, [k], 'reflect'),
      tol: { rel: 2e-6, abs: 1e-6 },
      noGrad: true,
    });
  });
  it('kernel weights: OpenCV σ rule, tables, normalisation', () => {
    assert.deepEqual(gaussianKernel1d(5, 0), [0.0625, 0.25, 0.375, 0.25, 0.0625]);
    const k9 = gaussianKernel1d(9, 0); // σ = 0.3·(4 − 1) + 0.8 = 1.7
    const ref = [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((i) => Math.exp(-(i * i) / (2 * 1.7 * 1.7)));
    const t = ref.reduce((a, b) => a + b, 0);
    k9.forEach((v, i) => assert.ok(Math.abs(v - ref[i] / t) < 1e-15));
    assert.ok(Math.abs(gaussianKernel1d(25, 40).reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.throws(() => gaussianKernel1d(4, 1), /odd/);
  });
});
