// The frequency-domain soft discrepancy (method spec §3.3): mirror-pad each channel to the next power
// of two per axis → FFT → real radial band weight → inverse FFT → crop → clip to [0, 1].
// The weight is real and even in frequency, so the phase is kept and the output stays real; hence two
// channels ride in one complex transform (real and imaginary parts) and come back unmixed. The optional
// phase noise is odd in frequency (a Hermitian response), which keeps that true.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import type { Rng } from '../../tensor/random.ts';
import { tidy } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { imageDims, paramTable, perImage } from './common.ts';
import { cropReal, fft2d, mirrorPadComplex, pow2Window } from './fft.ts';

const K_GAIN = defineKernel({
  file: 'fft', entry: 'band_gain', params: [['total', 'u32'], ['ph', 'u32'], ['pw', 'u32'], ['planes', 'u32']],
  reads: 2, writes: 1, workgroupSize: 256,
});

/** w(ρ) = 1 + (gain − 1)·s(ρ), s a raised-cosine step 0 → 1 over [rhoLo − halfWidth, rhoLo + halfWidth];
 *  ρ = 1 is the Nyquist frequency of each axis. */
export interface BandParams {
  rhoLo: number;
  gain: number;
  /** half the transition width; 0 gives a hard edge. Default 0.05 (spec §3.3). */
  halfWidth?: number;
  /** optional phase noise (spec §3.3 step 7): bins turn by up to ±π·phaseNoise, scaled by the band step
   *  s(ρ); 0 (default) keeps the phase. The spec suggests 0.05–0.2. */
  phaseNoise?: number;
  /** seed of the phase noise (an integer below 2^24) */
  seed?: number;
}

export const BAND_HALF_WIDTH = 0.05;

/** Draw band parameters as spec §3.3 says: ρ_lo ~ U(0.35, 0.7); p = 0.5 attenuate g ~ U(0, 0.5),
 *  else amplify g ~ U(1.5, 3); with `phaseNoise`, also the step-7 variant: amplitude U(0.05, 0.2), a seed. */
export function sampleBandParams(rng: Rng, opts: { phaseNoise?: boolean } = {}): BandParams {
  const rhoLo = rng.uniform(0.35, 0.7);
  const gain = rng.uniform() < 0.5 ? rng.uniform(0, 0.5) : rng.uniform(1.5, 3);
  if (!opts.phaseNoise) return { rhoLo, gain, halfWidth: BAND_HALF_WIDTH };
  return { rhoLo, gain, halfWidth: BAND_HALF_WIDTH, phaseNoise: rng.uniform(0.05, 0.2), seed: rng.int(2 ** 24) };
}

/** Two vec4 rows per image: (ρ_lo, half width, gain, phase amplitude), (seed, 0, 0, 0). */
function bandRows(params: BandParams | readonly BandParams[], n: number, op: string): number[][] {
  return perImage(params, n, op, 'band parameter sets').map((b) => {
    const hw = b.halfWidth ?? BAND_HALF_WIDTH;
    const a = b.phaseNoise ?? 0;
    const seed = b.seed ?? 0;
    if (!(b.gain >= 0) || !(hw >= 0) || !(a >= 0)) throw new Error(`${op}: gain, halfWidth and phaseNoise must be ≥ 0, got ${b.gain}, ${hw}, ${a}`);
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 24) throw new Error(`${op}: seed must be an integer in [0, 2^24), got ${seed}`);
    return [b.rhoLo, hw, b.gain, a, seed, 0, 0, 0];
  });
}

const fromRow = (r: readonly number[]): BandParams => ({ rhoLo: r[0], halfWidth: r[1], gain: r[2], phaseNoise: r[3], seed: r[4] });

/** Multiply complex spectra [N·C planes, P, Q, 2] by each image's band weight (one set per image, or one for all). */
export function applyBandGain(spec: Tensor, params: BandParams | readonly BandParams[], channels: number): Tensor {
  const s = spec.shape;
  if (s.length < 3 || s[s.length - 1] !== 2) throw new Error(`applyBandGain: expects complex planes [..., P, Q, 2], got [${s}]`);
  const ph = s[s.length - 3];
  const pw = s[s.length - 2];
  const planes = spec.size / (2 * ph * pw);
  if (planes % channels !== 0) throw new Error(`applyBandGain: ${planes} planes do not split into images of ${channels} channels`);
  const table = paramTable(bandRows(params, planes / channels, 'applyBandGain'), 8, 'applyBandGain');
  const out = Tensor.empty(s);
  const total = out.size / 2;
  getGpu().dispatch(K_GAIN, [spec.buffer, table.buffer, out.buffer], { total, ph, pw, planes: channels }, total);
  table.dispose();
  return out;
}

/**
 * The frequency perturbation of an image [C, H, W] or a batch [N, C, H, W] in [0, 1]
 * (one BandParams for all images or one per image). Returns a new image of the same shape, clipped to [0, 1].
 */
export function frequencyBandGain(img: Tensor, params: BandParams | readonly BandParams[]): Tensor {
  const { n, c, h, w } = imageDims(img, 'frequencyBandGain');
  const rows = bandRows(params, n, 'frequencyBandGain'); // validate before any dispatch
  const win = pow2Window(h, w);
  // Channels go in pairs (real, imaginary) through one complex transform: the weight is real and even.
  const pair = { pairChannels: c };
  return tidy(() => {
    const spec = fft2d(mirrorPadComplex(img.view([n, c, h, w]), win, pair));
    const shaped = applyBandGain(spec, rows.map(fromRow), Math.ceil(c / 2));
    const back = fft2d(shaped, { inverse: true });
    return cropReal(back, h, w, win.top, win.left, { clip01: true, ...pair }).view(img.shape);
  });
}
