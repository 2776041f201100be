import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { pow2Window } from '../../../src/ops/image/fft.ts';
import { frequencyBandGain, sampleBandParams, type BandParams } from '../../../src/ops/image/frequency.ts';
import { Rng } from '../../../src/tensor/random.ts';
import { checkOp, setupGpu } from '../../helpers/harness.ts';
import { nd, type Nd } from '../../helpers/nd.ts';
import { dft2, padComplexRef } from './ref-fft.ts';
import { clip01 } from './ref-image.ts';

before(setupGpu);

function unit(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround(rng.uniform()));
}

function weight(rho: number, b: BandParams): number {
  const hw = b.halfWidth ?? 0.05;
  let s: number;
  if (hw <= 0) s = rho >= b.rhoLo ? 1 : 0;
  else {
    const u = clip01((rho - (b.rhoLo - hw)) / (2 * hw));
    s = 0.5 - 0.5 * Math.cos(Math.PI * u);
  }
  return 1 + (b.gain - 1) * s;
}

const pcg = (v: number) => {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
};

/** The phase-noise field as the kernel header defines it: odd under (y, x) → (−y, −x). */
function phase(y: number, x: number, ph: number, pw: number, seed: number): number {
  const lin = y * pw + x;
  const mirror = ((ph - y) % ph) * pw + ((pw - x) % pw);
  if (lin === mirror) return 0;
  const u = (pcg((Math.min(lin, mirror) ^ pcg(seed)) >>> 0) >>> 8) / 16777216;
  return (lin < mirror ? 1 : -1) * (2 * u - 1);
}

/** Float64: reflect-101 pad → DFT → radial weight (and phase noise) → inverse DFT → crop → clip.
 *  Also asserts that the inverse transform is real, i.e. that the response is Hermitian. */
function refBandGain(x: Nd, params: BandParams[]): Nd {
  const [n, c, h, w] = x.shape.length === 4 ? x.shape : [1, ...x.shape];
  const { ph, pw, top, left } = pow2Window(h, w);
  const planes = n * c;
  const spec = dft2(padComplexRef(x.data, planes, h, w, ph, pw, top, left), planes, ph, pw);
  const f = (u: number, m: number) => (m === 1 ? 0 : (u > m / 2 ? u - m : u) / (m / 2));
  for (let pl = 0; pl < planes; pl++) {
    const b = params[params.length === 1 ? 0 : Math.floor(pl / c)];
    for (let y = 0; y < ph; y++) {
      for (let xx = 0; xx < pw; xx++) {
        const rho = Math.hypot(f(y, ph), f(xx, pw));
        const g = weight(rho, b);
        const i = 2 * ((pl * ph + y) * pw + xx);
        const step = b.gain === 1 ? (weight(rho, { ...b, gain: 2 }) - 1) : (g - 1) / (b.gain - 1);
        const phi = (b.phaseNoise ?? 0) > 0 ? Math.PI * Math.fround(b.phaseNoise!) * step * phase(y, xx, ph, pw, b.seed ?? 0) : 0;
        const [re, im] = [spec[i] * g, spec[i + 1] * g];
        spec[i] = re * Math.cos(phi) - im * Math.sin(phi);
        spec[i + 1] = re * Math.sin(phi) + im * Math.cos(phi);
      }
    }
  }
  const back = dft2(spec, planes, ph, pw, true);
  let imag = 0;
  for (let i = 1; i < back.length; i += 2) imag = Math.max(imag, Math.abs(back[i]));
  assert.ok(imag < 1e-9, `reference: the filtered image is not real (max |imag| ${imag})`);
  const out = new Float64Array(planes * h * w);
  for (let i = 0; i < out.length; i++) {
    const xx = i % w;
    const y = Math.floor(i / w) % h;
    const pl = Math.floor(i / (w * h));
    out[i] = clip01(back[2 * ((pl * ph + y + top) * pw + xx + left)]);
  }
  return nd(out, x.shape);
}

describe('frequency band gain (pad → FFT → radial weight → iFFT → crop) vs float64', () => {
  const rng = new Rng(11);
  const cases: [string, number[], BandParams[]][] = [
    ['attenuate, one image', [3, 37, 50], [{ rhoLo: 0.5, gain: 0.2 }]],
    ['amplify, one image', [3, 41, 29], [{ rhoLo: 0.4, gain: 2.5 }]],
    ['hard edge', [1, 16, 16], [{ rhoLo: 0.6, gain: 0, halfWidth: 0 }]],
    ['per-image parameters in a batch', [3, 3, 23, 67], [sampleBandParams(rng), sampleBandParams(rng), { rhoLo: 0.35, gain: 3 }]],
    ['non-square power of two', [3, 32, 128], [{ rhoLo: 0.45, gain: 1.8, halfWidth: 0.1 }]],
    ['phase noise (step 7), one seed per image', [2, 3, 29, 38], [{ rhoLo: 0.4, gain: 1, phaseNoise: 0.2, seed: 12345 }, { rhoLo: 0.55, gain: 0.4, phaseNoise: 0.05, seed: 7 }]],
    ['phase noise, hard edge, 4 channels', [1, 4, 16, 32], [{ rhoLo: 0.3, gain: 2, halfWidth: 0, phaseNoise: 0.15, seed: 99 }]],
  ];
  for (const [name, shape, params] of cases) {
    it(`${name} [${shape}]`, async () => {
      await checkOp(`band-${name}`, {
        inputs: [{ shape, values: unit(rng, shape.reduce((a, b) => a * b, 1)) }],
        run: (x) => frequencyBandGain(x, params),
        ref: (x) => refBandGain(x, params),
        tol: { rel: 2e-6, abs: 1e-6 },
        noGrad: true,
      });
    });
  }
});
