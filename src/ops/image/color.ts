// Colour, resampling and sharpening alterations of the SBI spatial pool (method spec §3.2–3.3), on
// float images in [0, 1] ([C, H, W] or [N, C, H, W]); parameters are one set for all images or one per
// image. albumentations 1.x float semantics: shifts are in [0, 1] units (SBI's uint8 ±20 is ±20/255),
// hue in degrees; results clipped to [0, 1]. Data generation only: no autograd.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { tidy } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { imageDims, paramTable, perImage } from './common.ts';
import { cvResize } from './resize.ts';

const PARAMS = [['total', 'u32'], ['h', 'u32'], ['w', 'u32'], ['c', 'u32'], ['clip01', 'u32']] as const;
const K_AFFINE = defineKernel({ file: 'color', entry: 'channel_affine', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_HSV = defineKernel({ file: 'color', entry: 'hsv_shift', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_FILTER = defineKernel({ file: 'color', entry: 'filter3x3', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });

function run(kernel: typeof K_AFFINE, img: Tensor, rows: number[][], width: number, op: string, clip = true, invocations?: number): Tensor {
  const { c, h, w } = imageDims(img, op);
  const table = paramTable(rows, width, op);
  const out = Tensor.empty(img.shape);
  const total = invocations ?? img.size;
  getGpu().dispatch(kernel, [img.buffer, table.buffer, out.buffer], { total, h, w, c, clip01: clip ? 1 : 0 }, total);
  table.dispose();
  return out;
}

/** out_c = a_c·x + b_c per channel (gains then offsets, C each), clipped to [0, 1] unless clip is false. */
export function channelAffine(img: Tensor, gains: readonly number[] | readonly (readonly number[])[],
  offsets: readonly number[] | readonly (readonly number[])[], clip = true): Tensor {
  const { n, c } = imageDims(img, 'channelAffine');
  const asRows = (v: readonly number[] | readonly (readonly number[])[]) =>
    perImage((Array.isArray(v[0]) ? v : [v]) as number[][], n, 'channelAffine', 'rows');
  const a = asRows(gains);
  const b = asRows(offsets);
  return run(K_AFFINE, img, a.map((r, i) => [...r, ...b[i]]), 2 * c, 'channelAffine', clip);
}

/** albumentations RGBShift: add a per-channel shift (in [0, 1] units), clip. */
export function rgbShift(img: Tensor, shift: readonly number[] | readonly (readonly number[])[]): Tensor {
  const { c } = imageDims(img, 'rgbShift');
  const rows = (Array.isArray(shift[0]) ? shift : [shift]) as number[][];
  return channelAffine(img, rows.map(() => new Array<number>(c).fill(1)), rows);
}

export interface BrightnessContrast {
  /** β, added (brightness_by_max: in units of the max value 1) */
  brightness: number;
  /** α = 1 + contrast multiplies */
  contrast: number;
}

/** albumentations RandomBrightnessContrast (brightness_by_max): clip((1 + contrast)·x + brightness). */
export function brightnessContrast(img: Tensor, p: BrightnessContrast | readonly BrightnessContrast[]): Tensor {
  const { n, c } = imageDims(img, 'brightnessContrast');
  const list = perImage(p, n, 'brightnessContrast', 'parameter sets');
  return channelAffine(img, list.map((q) => new Array<number>(c).fill(1 + q.contrast)), list.map((q) => new Array<number>(c).fill(q.brightness)));
}

export interface HsvShift {
  /** degrees, added mod 360 */
  hue: number;
  /** added to S, clipped to [0, 1] */
  sat: number;
  /** added to V, clipped to [0, 1] */
  val: number;
}

/** albumentations HueSaturationValue on float RGB: through cv2's float HSV (H in degrees). */
export function hsvShift(img: Tensor, p: HsvShift | readonly HsvShift[]): Tensor {
  const { n, c, h, w } = imageDims(img, 'hsvShift');
  if (c !== 3) throw new Error(`hsvShift: expects RGB images (3 channels), got [${img.shape}]`);
  const rows = perImage(p, n, 'hsvShift', 'parameter sets').map((q) => [q.hue, q.sat, q.val, 0]);
  return run(K_HSV, img, rows, 4, 'hsvShift', true, n * h * w);
}

/** cv2.filter2D with a 3×3 kernel (row-major, correlation), border reflect-101, clipped unless clip is false. */
export function filter3x3(img: Tensor, kernel: readonly number[] | readonly (readonly number[])[], clip = true): Tensor {
  const { n } = imageDims(img, 'filter3x3');
  const rows = perImage((Array.isArray(kernel[0]) ? kernel : [kernel]) as number[][], n, 'filter3x3', 'kernels');
  return run(K_FILTER, img, rows, 9, 'filter3x3', clip);
}

/** albumentations 1.x Sharpen kernel: (1 − α)·δ + α·[[−1, −1, −1], [−1, 8 + L, −1], [−1, −1, −1]]. */
export function sharpenKernel(alpha: number, lightness: number): number[] {
  const k = [-1, -1, -1, -1, 8 + lightness, -1, -1, -1, -1].map((v) => alpha * v);
  k[4] += 1 - alpha;
  return k;
}

export interface SharpenParams {
  /** U(0.2, 0.5) in SBI */
  alpha: number;
  /** U(0.5, 1.0) in SBI */
  lightness: number;
}

/** Sharpen (clipped to [0, 1], as on SBI's uint8 images). */
export function sharpen(img: Tensor, p: SharpenParams | readonly SharpenParams[]): Tensor {
  const { n } = imageDims(img, 'sharpen');
  return filter3x3(img, perImage(p, n, 'sharpen', 'parameter sets').map((q) => sharpenKernel(q.alpha, q.lightness)));
}

/** SBI RandomDownScale: cv2.resize to (int(W/r), int(H/r)) with INTER_NEAREST, back with INTER_LINEAR. */
export function downUpResample(img: Tensor, ratio: number): Tensor {
  const { h, w } = imageDims(img, 'downUpResample');
  const dh = Math.max(1, Math.floor(h / ratio));
  const dw = Math.max(1, Math.floor(w / ratio));
  return tidy(() => cvResize(cvResize(img, dh, dw, 'nearest'), h, w, 'linear'));
}
