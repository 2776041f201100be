// CPU reference implementations of the image operations the discrepancy generator needs, on planar
// float images in [0,1]. They mirror OpenCV/albumentations semantics (noted per function) and are
// used for the masks (always) and as the reference/fallback of the GPU image path.
import type { ChwImage } from './image.ts';
import { fft2d, nextPow2 } from './fft.ts';

// OpenCV's fixed small kernels, used when sigma ≤ 0 and k ≤ 7 (getGaussianKernel).
const SMALL_GAUSS: Record<number, number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** OpenCV getGaussianKernel: odd k; sigma ≤ 0 means σ = 0.3((k−1)/2 − 1) + 0.8. */
export function gaussianKernel(k: number, sigma: number): Float64Array {
  if (k < 1 || k % 2 === 0) throw new Error(`gaussianKernel: k must be odd and ≥ 1, got ${k}`);
  if (sigma <= 0 && SMALL_GAUSS[k]) return Float64Array.from(SMALL_GAUSS[k]);
  const s = sigma > 0 ? sigma : 0.3 * ((k - 1) / 2 - 1) + 0.8;
  const out = new Float64Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const d = i - (k - 1) / 2;
    out[i] = Math.exp(-(d * d) / (2 * s * s));
    sum += out[i];
  }
  for (let i = 0; i < k; i++) out[i] /= sum;
  return out;
}

/** OpenCV BORDER_REFLECT_101: …, 2, 1 | 0, 1, 2, … | n−2, n−3, … */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let j = ((i % period) + period) % period;
  return j < n ? j : period - j;
}

/** Separable Gaussian blur of one w×h plane (cv2.GaussianBlur, k×k window, reflect-101 border). */
export function blurPlane(src: Float32Array, w: number, h: number, k: number, sigma: number): Float32Array {
  const g = Float32Array.from(gaussianKernel(k, sigma));
  const tmp = new Float32Array(w * h);
  blurLines(src, tmp, w, h, 1, w, g); // rows
  const out = new Float32Array(w * h);
  blurLines(tmp, out, h, w, w, 1, g); // columns
  return out;
}

/**
 * 1-D blur of `lines` lines of length n (element stride `step`, line stride `lineStep`), via a padded copy.
 * A constant line (most lines of a blend mask: all 0 or all 1) gets Σ g[j]·c, summed in the same order as
 * the general loop, so the result is bit-identical and the mask pipeline skips most of its k-tap work.
 */
function blurLines(src: Float32Array, dst: Float32Array, n: number, lines: number, step: number, lineStep: number, g: Float32Array): void {
  const k = g.length;
  const r = (k - 1) / 2;
  const pad = new Float32Array(n + 2 * r);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    const c = src[base];
    let constant = true;
    for (let i = 1; i < n && constant; i++) constant = src[base + i * step] === c;
    if (constant) {
      let s = 0;
      for (let j = 0; j < k; j++) s += g[j] * c;
      for (let i = 0; i < n; i++) dst[base + i * step] = s;
      continue;
    }
    for (let i = 0; i < n + 2 * r; i++) pad[i] = src[base + reflect101(i - r, n) * step];
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < k; j++) s += g[j] * pad[i + j];
      dst[base + i * step] = s;
    }
  }
}

/** cv2.resize of one plane: 'linear' (half-pixel centres, edge-clamped) or 'nearest' (floor(x·scale)). */
export function resizePlane(
  src: Float32Array, w: number, h: number, ow: number, oh: number, interp: 'linear' | 'nearest',
): Float32Array {
  const out = new Float32Array(ow * oh);
  const sx = w / ow;
  const sy = h / oh;
  for (let y = 0; y < oh; y++) {
    if (interp === 'nearest') {
      const yy = Math.min(h - 1, Math.floor(y * sy));
      for (let x = 0; x < ow; x++) out[y * ow + x] = src[yy * w + Math.min(w - 1, Math.floor(x * sx))];
      continue;
    }
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), h - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, h - 1);
    const wy = fy - y0;
    for (let x = 0; x < ow; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), w - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, w - 1);
      const wx = fx - x0;
      const a = src[y0 * w + x0] * (1 - wx) + src[y0 * w + x1] * wx;
      const b = src[y1 * w + x0] * (1 - wx) + src[y1 * w + x1] * wx;
      out[y * ow + x] = a * (1 - wy) + b * wy;
    }
  }
  return out;
}

/**
 * Inverse-mapped affine warp of one plane: out(x, y) = src(A·[x, y, 1]) with A = [a, b, c, d, e, f]
 * mapping output pixel → source pixel; outside the source reads 0 (constant border).
 */
export function warpPlane(
  src: Float32Array, w: number, h: number, inv: readonly number[], interp: 'linear' | 'nearest',
): Float32Array {
  const out = new Float32Array(w * h);
  const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < w && y < h ? src[y * w + x] : 0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = inv[0] * x + inv[1] * y + inv[2];
      const v = inv[3] * x + inv[4] * y + inv[5];
      if (interp === 'nearest') {
        out[y * w + x] = at(Math.round(u), Math.round(v));
        continue;
      }
      const x0 = Math.floor(u);
      const y0 = Math.floor(v);
      const wx = u - x0;
      const wy = v - y0;
      out[y * w + x] =
        (at(x0, y0) * (1 - wx) + at(x0 + 1, y0) * wx) * (1 - wy) + (at(x0, y0 + 1) * (1 - wx) + at(x0 + 1, y0 + 1) * wx) * wy;
    }
  }
  return out;
}

const clip01 = (v: number) => (v < 0 ? 0 : v > 1 ? 1 : v);

/** Apply a per-plane function to every channel. */
export function mapPlanes(img: ChwImage, f: (plane: Float32Array, c: number) => Float32Array): ChwImage {
  const n = img.width * img.height;
  const out = new Float32Array(img.data.length);
  for (let c = 0; c < img.channels; c++) out.set(f(img.data.subarray(c * n, (c + 1) * n), c), c * n);
  return { ...img, data: out };
}

/** Per-channel affine colour map out = clip(gain[c]·x + bias[c]) (RGB shift, brightness/contrast). */
export function colorAffine(img: ChwImage, gain: readonly number[], bias: readonly number[]): ChwImage {
  return mapPlanes(img, (p, c) => p.map((v) => clip01(gain[c] * v + bias[c])));
}

/** HSV shift: hue by dh turns (wraps), saturation and value by ds, dv (clipped). */
export function hsvShift(img: ChwImage, dh: number, ds: number, dv: number): ChwImage {
  const n = img.width * img.height;
  const d = img.data;
  const out = new Float32Array(d.length);
  for (let i = 0; i < n; i++) {
    const r = d[i], g = d[n + i], b = d[2 * n + i];
    const mx = Math.max(r, g, b);
    const c = mx - Math.min(r, g, b);
    let hue = c === 0 ? 0 : mx === r ? (g - b) / c : mx === g ? (b - r) / c + 2 : (r - g) / c + 4;
    hue = hue / 6 + dh;
    hue = (hue - Math.floor(hue)) * 6; // [0, 6)
    const s = clip01((mx === 0 ? 0 : c / mx) + ds);
    const v = clip01(mx + dv);
    // HSV → RGB: channel value v − v·s·clamp(min(k, 4 − k), 0, 1) with k = (m + hue) mod 6.
    let k = (5 + hue) % 6;
    out[i] = v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
    k = (3 + hue) % 6;
    out[n + i] = v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
    k = (1 + hue) % 6;
    out[2 * n + i] = v - v * s * Math.max(0, Math.min(k, 4 - k, 1));
  }
  return { ...img, data: out };
}

/** SBI RandomDownScale: nearest down to dw×dh, bilinear back up. */
export function downUp(img: ChwImage, dw: number, dh: number): ChwImage {
  const { width: w, height: h } = img;
  return mapPlanes(img, (p) => resizePlane(resizePlane(p, w, h, dw, dh, 'nearest'), dw, dh, w, h, 'linear'));
}

/** albumentations 1.x Sharpen: (1 − α)·δ + α·[[−1,−1,−1],[−1,8+L,−1],[−1,−1,−1]], reflect-101, clipped. */
export function sharpen(img: ChwImage, alpha: number, lightness: number): ChwImage {
  const { width: w, height: h } = img;
  const centre = (1 - alpha) + alpha * (8 + lightness);
  return mapPlanes(img, (p) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) {
            if (dx || dy) s -= p[reflect101(y + dy, h) * w + reflect101(x + dx, w)];
          }
        }
        out[y * w + x] = clip01(centre * p[y * w + x] + alpha * s);
      }
    }
    return out;
  });
}

/** Radial weight of the frequency alteration: 1 + (g − 1)·s(ρ), s a raised-cosine step at ρ_lo ± 0.05. */
export function bandWeight(rho: number, rhoLo: number, gain: number): number {
  const t = (rho - (rhoLo - 0.05)) / 0.1;
  const s = t <= 0 ? 0 : t >= 1 ? 1 : 0.5 - 0.5 * Math.cos(Math.PI * t);
  return 1 + (gain - 1) * s;
}

/**
 * The frequency alteration (§3.3): mirror-pad (reflect-101) to the next power of two per axis with
 * the image centred, FFT, radial band gain (ρ = 1 at each axis's Nyquist), inverse, crop, clip.
 * The same placement as src/ops/image/fft.ts, so the GPU path can be checked against it.
 */
export function bandGain(img: ChwImage, rhoLo: number, gain: number): ChwImage {
  const { width: w, height: h } = img;
  const p = nextPow2(Math.max(w, h));
  const ph = nextPow2(h), pw = nextPow2(w);
  const top = Math.floor((ph - h) / 2), left = Math.floor((pw - w) / 2);
  const weight = new Float64Array(p * p);
  for (let v = 0; v < ph; v++) {
    for (let u = 0; u < pw; u++) {
      const fu = (u < pw / 2 ? u : u - pw) / (pw / 2); // centred frequency, per-axis Nyquist = 1
      const fv = (v < ph / 2 ? v : v - ph) / (ph / 2);
      weight[v * pw + u] = bandWeight(Math.sqrt(fu * fu + fv * fv), rhoLo, gain);
    }
  }
  if (ph !== pw) throw new Error(`bandGain (CPU): non-square planes ${ph}×${pw} are not supported; crops are square`);
  return mapPlanes(img, (plane) => {
    const re = new Float64Array(p * p);
    const im = new Float64Array(p * p);
    for (let y = 0; y < p; y++) {
      for (let x = 0; x < p; x++) re[y * p + x] = plane[reflect101(y - top, h) * w + reflect101(x - left, w)];
    }
    fft2d(re, im, p);
    for (let i = 0; i < re.length; i++) (re[i] *= weight[i]), (im[i] *= weight[i]);
    fft2d(re, im, p, true);
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = clip01(re[(y + top) * p + x + left]);
    return out;
  });
}

/** X = M·source + (1 − M)·target, M one plane broadcast over channels. */
export function blendImages(source: ChwImage, target: ChwImage, mask: Float32Array): ChwImage {
  const n = source.width * source.height;
  if (mask.length !== n || target.data.length !== source.data.length) throw new Error('blendImages: size mismatch');
  const out = new Float32Array(source.data.length);
  for (let c = 0; c < source.channels; c++) {
    for (let i = 0; i < n; i++) {
      const m = mask[i];
      out[c * n + i] = m * source.data[c * n + i] + (1 - m) * target.data[c * n + i];
    }
  }
  return { ...source, data: out };
}
