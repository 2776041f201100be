// The soft blending mask of a discrepancy (method spec §3.2 steps 2–4), on the CPU: a location's
// 0/1 mask → the source's random affine (nearest) → elastic deformation (nearest) → SBI's
// "dynamic blend" (resize, blur k1 with OpenCV's σ(k), threshold at 0.5, blur k2 with σ2,
// normalise, resize back) → × blend ratio. Every random number is drawn in sampleMaskParams, so
// the parameters are plain data and the same parameters give the same mask.
import type { Rng } from '../tensor/random.ts';
import { Rng as RngClass } from '../tensor/random.ts';
import { blurPlane, resizePlane, warpPlane } from './cpu-image.ts';

export interface MaskParams {
  /** output→input affine [a, b, c, d, e, f], shared with the source image's warp */
  warp: number[];
  elastic: { seed: number; alpha: number; sigma: number };
  /** the dynamic blend's intermediate size (model pixels) */
  resizeW: number;
  resizeH: number;
  k1: number;
  k2: number;
  sigma2: number;
  ratio: number;
}

/** How pixel-unit parameters map into this crop (see PreparedFace in crop.ts). */
export interface CropUnits {
  size: number;
  wideRatio: { x: number; y: number };
  scale: { x: number; y: number };
}

export interface MaskOptions {
  /** the source affine's scale range; SeeABLE [0.98, 1.02], SBI [0.95, 1/0.95] */
  scaleRange?: [number, number];
}

const BLEND_RATIOS = [0.25, 0.5, 0.75, 1, 1, 1];
const randOdd = (rng: Rng, lo: number, hi: number) => lo + 2 * rng.int((hi - lo) / 2 + 1);

/** The inverse affine of SBI's randaffine: scale s about the centre, then translate (tx, ty). */
export function affineInverse(size: number, s: number, tx: number, ty: number): number[] {
  const c = (size - 1) / 2;
  // forward: x' = s(x − c) + c + tx  ⇒  x = (x' − c − tx)/s + c
  return [1 / s, 0, c - (c + tx) / s, 0, 1 / s, c - (c + ty) / s];
}

export function sampleMaskParams(rng: Rng, units: CropUnits, opts: MaskOptions = {}): MaskParams {
  const [s0, s1] = opts.scaleRange ?? [0.98, 1.02];
  const { size, wideRatio, scale } = units;
  // Translations are fractions of the wide pre-crop (x ±3 %, y ±1.5 %), expressed in this crop.
  const tx = rng.uniform(-0.03, 0.03) * size * wideRatio.x;
  const ty = rng.uniform(-0.015, 0.015) * size * wideRatio.y;
  const s = rng.uniform(s0, s1);
  const pixel = (scale.x + scale.y) / 2;
  // SBI resizes the wide crop's mask to [192, 256]²; this crop covers 1/wideRatio of it.
  const resizeW = Math.max(8, Math.round((192 + rng.int(65)) / wideRatio.x));
  const resizeH = Math.max(8, Math.round((192 + rng.int(65)) / wideRatio.y));
  return {
    warp: affineInverse(size, s, tx, ty),
    elastic: { seed: rng.nextU32(), alpha: 50 * pixel, sigma: 7 * pixel },
    resizeW,
    resizeH,
    k1: randOdd(rng, 5, 25),
    k2: randOdd(rng, 5, 25),
    sigma2: 5 + rng.int(41),
    ratio: BLEND_RATIOS[rng.int(BLEND_RATIOS.length)],
  };
}

/**
 * albumentations ElasticTransform (no affine part): U(−1,1) fields smoothed by σ, ×α, nearest remap.
 * The fields are smooth on the scale of σ, so they are drawn on a grid f = ⌊σ/2⌋ times coarser with
 * noise scaled by 1/f (the variance of an f×f average), smoothed with σ/f and upsampled bilinearly:
 * the same displacement statistics for ~f³ less work (docs/method-departures.md).
 */
export function elastic(mask: Float32Array, w: number, h: number, p: MaskParams['elastic']): Float32Array {
  const rng = new RngClass(p.seed);
  const dx = elasticField(w, h, p.sigma, rng);
  const dy = elasticField(w, h, p.sigma, rng);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const j = y * w + x;
      const sx = Math.round(x + p.alpha * dx[j]);
      const sy = Math.round(y + p.alpha * dy[j]);
      out[j] = sx >= 0 && sy >= 0 && sx < w && sy < h ? mask[sy * w + sx] : 0;
    }
  }
  return out;
}

/** One smoothed noise field [h, w] (before ×α); `coarse` false draws it at full resolution. */
export function elasticField(w: number, h: number, sigma: number, rng: Rng, coarse = true): Float32Array {
  const f = coarse ? Math.max(1, Math.floor(sigma / 2)) : 1;
  const lw = Math.ceil(w / f);
  const lh = Math.ceil(h / f);
  const s = sigma / f;
  const k = Math.min(2 * Math.ceil(4 * s) + 1, (2 * Math.max(lw, lh) - 1) | 1); // scipy truncates at 4σ
  const noise = new Float32Array(lw * lh);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.uniform(-1, 1) / f;
  const smooth = blurPlane(noise, lw, lh, k, s);
  if (f === 1) return smooth;
  // upsample so that coarse sample centres land on the centres of their f×f blocks, then crop to w×h
  const up = resizePlane(smooth, lw, lh, lw * f, lh * f, 'linear');
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) out.set(up.subarray(y * lw * f, y * lw * f + w), y * w);
  return out;
}

/** SBI get_blend_mask + blend ratio. The threshold reproduces OpenCV's rounding on uint8 masks. */
export function dynamicBlend(mask: Float32Array, w: number, h: number, p: MaskParams): Float32Array {
  const { resizeW: rw, resizeH: rh } = p;
  const m = resizePlane(mask, w, h, rw, rh, 'linear');
  binarize(m);
  const b1 = blurPlane(m, rw, rh, p.k1, 0);
  // A region thinner than the kernel vanishes under the uint8 rounding; keep it unblurred then.
  if (planeMax(b1) >= 0.5) {
    binarize(b1);
    m.set(b1);
  }
  const b2 = blurPlane(m, rw, rh, p.k2, p.sigma2);
  const mx = planeMax(b2);
  if (mx <= 0) return new Float32Array(w * h);
  const scale = p.ratio / mx; // normalise by the max, then the blend ratio (both linear: before the resize)
  for (let i = 0; i < b2.length; i++) b2[i] *= scale;
  return resizePlane(b2, rw, rh, w, h, 'linear');
}

function binarize(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) x[i] = x[i] >= 0.5 ? 1 : 0;
}

function planeMax(x: Float32Array): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}

/** The whole mask pipeline for one location mask of a size×size crop. */
export function softMask(location: Uint8Array, size: number, p: MaskParams): Float32Array {
  const m0 = Float32Array.from(location);
  const warped = warpPlane(m0, size, size, p.warp, 'nearest');
  const deformed = elastic(warped, size, size, p.elastic);
  return dynamicBlend(deformed, size, size, p);
}
