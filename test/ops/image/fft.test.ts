import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { cropReal, fft2d, fftRadices, mirrorPadComplex, pow2Window } from '../../../src/ops/image/fft.ts';
import { tensor } from '../../../src/tensor/create.ts';
import { Rng } from '../../../src/tensor/random.ts';
import { assertClose, checkOp, draw, setupGpu } from '../../helpers/harness.ts';
import { nd } from '../../helpers/nd.ts';
import { dft2, padComplexRef } from './ref-fft.ts';

before(setupGpu);

// Tolerance relative to max |X|: f32 radix-2 error grows like ε·log2(H·W) rms; 256² has 16 passes.
const TOL = { rel: 2e-6, abs: 1e-6 }; // measured: 8e-8 (8²) to 1.6e-7 (256²)

describe('fft2d vs a float64 DFT', () => {
  const shapes: [number, number, number][] = [[3, 8, 8], [2, 16, 16], [3, 64, 64], [1, 256, 256], [3, 32, 128], [2, 128, 8], [2, 1, 16], [5, 4, 1], [1, 2, 2], [1, 1, 1], [1, 512, 32]];
  for (const [b, h, w] of shapes) {
    for (const [inverse, radix] of [[false, 8], [true, 8], [false, 4], [true, 4], [false, 2], [true, 2]] as const) {
      it(`${inverse ? 'inverse' : 'forward'} radix ${radix} [${b}, ${h}, ${w}]`, async () => {
        await checkOp(`fft-${inverse}-${radix}-${b}-${h}-${w}`, {
          inputs: [{ shape: [b, h, w, 2] }],
          run: (z) => fft2d(z, { inverse, radix }),
          ref: (z) => nd(dft2(z.data, b, h, w, inverse), z.shape),
          tol: TOL,
          noGrad: true,
        });
      });
    }
  }

  it('inverse(forward(x)) ≈ x on 3×64×256, 3×256×256 (radix 8) and 2×128×32 (radix 4, radix 2)', async () => {
    const rng = new Rng(7);
    for (const [b, h, w, radix] of [[3, 64, 256, 8], [3, 256, 256, 8], [2, 128, 32, 4], [2, 128, 32, 2]] as const) {
      const x = draw(rng, b * h * w * 2, 'uniform');
      const z = tensor(x, [b, h, w, 2]);
      const f = fft2d(z, { radix });
      const back = fft2d(f, { inverse: true, radix });
      assertClose(await back.read(), x, { rel: 2e-6, abs: 1e-7 }, `round trip ${b}×${h}×${w}`);
      [z, f, back].forEach((t) => t.dispose());
    }
  });

  it('pass plans: radix 8 with one smaller pass first', () => {
    assert.deepEqual(fftRadices(512), [8, 8, 8]);
    assert.deepEqual(fftRadices(256), [4, 8, 8]);
    assert.deepEqual(fftRadices(128), [2, 8, 8]);
    assert.deepEqual(fftRadices(2), [2]);
    assert.deepEqual(fftRadices(1), []);
    assert.deepEqual(fftRadices(32, 4), [2, 4, 4]);
    assert.deepEqual(fftRadices(8, 2), [2, 2, 2]);
  });

  it('rejects sizes that are not powers of two', () => {
    const z = tensor(new Float32Array(2 * 6 * 8), [6, 8, 2]);
    assert.throws(() => fft2d(z), /powers of two/);
    z.dispose();
  });
});

describe('mirror padding to a power of two and cropping back', () => {
  for (const [b, h, w] of [[3, 37, 50], [1, 5, 3], [2, 64, 17], [1, 1, 9]]) {
    const win = pow2Window(h, w);
    it(`pad [${b}, ${h}, ${w}] → ${win.ph}×${win.pw}`, async () => {
      await checkOp(`pad-${b}-${h}-${w}`, {
        inputs: [{ shape: [b, h, w] }],
        run: (x) => mirrorPadComplex(x, win),
        ref: (x) => nd(padComplexRef(x.data, b, h, w, win.ph, win.pw, win.top, win.left), [b, win.ph, win.pw, 2]),
        tol: { rel: 0, abs: 0 },
        noGrad: true,
      });
    });
  }
  it('pads wider than the image (reflect-101 folds repeatedly)', async () => {
    const win = { ph: 16, pw: 32, top: 5, left: 13 };
    await checkOp('pad-fold', {
      inputs: [{ shape: [2, 3, 4] }],
      run: (x) => mirrorPadComplex(x, win),
      ref: (x) => nd(padComplexRef(x.data, 2, 3, 4, 16, 32, 5, 13), [2, 16, 32, 2]),
      tol: { rel: 0, abs: 0 },
      noGrad: true,
    });
  });
  for (const [n, c] of [[2, 3], [1, 2], [3, 1]]) {
    it(`paired channels: ${n} images × ${c} channels share ⌈C/2⌉ planes, and crop undoes it`, async () => {
      const [h, w] = [13, 22];
      const win = pow2Window(h, w);
      const cp = Math.ceil(c / 2);
      await checkOp(`pad-pair-${n}-${c}`, {
        inputs: [{ shape: [n, c, h, w] }],
        run: (x) => mirrorPadComplex(x, win, { pairChannels: c }),
        ref: (x) => {
          const single = padComplexRef(x.data, n * c, h, w, win.ph, win.pw, win.top, win.left);
          const pl = win.ph * win.pw;
          const out = new Float64Array(n * cp * pl * 2);
          for (let i = 0; i < n; i++) for (let ch = 0; ch < c; ch++) for (let q = 0; q < pl; q++) {
            out[2 * ((i * cp + (ch >> 1)) * pl + q) + (ch & 1)] = single[2 * ((i * c + ch) * pl + q)];
          }
          return nd(out, [n, cp, win.ph, win.pw, 2]);
        },
        tol: { rel: 0, abs: 0 },
        noGrad: true,
      });
      await checkOp(`crop-pair-${n}-${c}`, {
        inputs: [{ shape: [n, cp, win.ph, win.pw, 2] }],
        run: (z) => cropReal(z, h, w, win.top, win.left, { pairChannels: c }),
        ref: (z) => {
          const out = new Float64Array(n * c * h * w);
          for (let i = 0; i < out.length; i++) {
            const x = i % w, y = Math.floor(i / w) % h, b = Math.floor(i / (w * h));
            const plane = Math.floor(b / c) * cp + ((b % c) >> 1);
            out[i] = z.data[2 * ((plane * win.ph + y + win.top) * win.pw + x + win.left) + ((b % c) & 1)];
          }
          return nd(out, [n, c, h, w]);
        },
        tol: { rel: 0, abs: 0 },
        noGrad: true,
      });
    });
  }
  it('crop of the real part, plain and clipped to [0, 1]', async () => {
    const [b, ph, pw, h, w, top, left] = [3, 16, 32, 11, 19, 3, 7];
    for (const clip01 of [false, true]) {
      await checkOp(`crop-${clip01}`, {
        inputs: [{ shape: [b, ph, pw, 2] }],
        run: (z) => cropReal(z, h, w, top, left, { clip01 }),
        ref: (z) => {
          const out = new Float64Array(b * h * w);
          for (let i = 0; i < out.length; i++) {
            const x = i % w;
            const y = Math.floor(i / w) % h;
            const pl = Math.floor(i / (w * h));
            const v = z.data[2 * ((pl * ph + y + top) * pw + x + left)];
            out[i] = clip01 ? Math.min(1, Math.max(0, v)) : v;
          }
          return nd(out, [b, h, w]);
        },
        tol: { rel: 0, abs: 0 },
        noGrad: true,
      });
    }
  });
});
