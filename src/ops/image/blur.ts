// Separable Gaussian blur with OpenCV's rules (cv2.GaussianBlur): odd window k; σ ≤ 0 derives σ from k
// (σ = 0.3·((k − 1)·0.5 − 1) + 0.8, and OpenCV's fixed small tables for k = 1, 3, 5, 7); k ≤ 0 derives k
// from σ (round(σ·4·2 + 1) | 1 for float images); weights normalised to sum 1; border reflect-101.
// One kernel per image is allowed, so a batch of masks with random windows blurs in two dispatches.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { tidy } from '../../tensor/scope.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { imageDims, imageGrid, paramTable, perImage } from './common.ts';

const PARAMS = [['total', 'u32'], ['h', 'u32'], ['w', 'u32'], ['planes', 'u32'], ['radius', 'u32'], ['border', 'u32']] as const;
const K_H = defineKernel({ file: 'blur', entry: 'blur_h', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_V = defineKernel({ file: 'blur', entry: 'blur_v', params: PARAMS, reads: 2, writes: 1, workgroupSize: 256 });

export type BlurBorder = 'reflect101' | 'reflect' | 'replicate' | 'constant';
const BORDER: Record<BlurBorder, number> = { reflect101: 0, reflect: 1, replicate: 2, constant: 3 };

// cv::getGaussianKernel's fixed tables, used when σ ≤ 0 and k ≤ 7.
const SMALL_TABLES: Record<number, number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
};

/** OpenCV's σ for a window k when none is given. */
export const sigmaFromWindow = (k: number) => 0.3 * ((k - 1) * 0.5 - 1) + 0.8;

/** cv::getGaussianKernel(k, σ) in float64 (k ≤ 0 → from σ as GaussianBlur does for float images). */
export function gaussianKernel1d(k: number, sigma: number): number[] {
  if (k <= 0) {
    if (!(sigma > 0)) throw new Error('gaussianKernel1d: needs k > 0 or σ > 0');
    k = Math.round(sigma * 4 * 2 + 1) | 1;
  }
  if (!Number.isInteger(k) || k % 2 !== 1) throw new Error(`gaussianKernel1d: the window must be odd, got ${k}`);
  if (sigma <= 0 && SMALL_TABLES[k]) return [...SMALL_TABLES[k]];
  const s = sigma > 0 ? sigma : sigmaFromWindow(k);
  const c = (k - 1) / 2;
  const w = Array.from({ length: k }, (_, i) => Math.exp(-((i - c) ** 2) / (2 * s * s)));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

export interface BlurSpec {
  /** odd window; ≤ 0 derives it from sigma */
  k: number;
  /** ≤ 0 derives it from k */
  sigma?: number;
}

/** Separable blur of [H, W] / [C, H, W] / [N, C, H, W] with the same 1-D kernel along both axes,
 *  given explicitly per image (rows of odd length). */
export function separableBlur(img: Tensor, kernels: readonly (readonly number[])[], border: BlurBorder = 'reflect101'): Tensor {
  const { n, c, h, w } = imageDims(img, 'separableBlur');
  const grid = imageGrid(h, w, n * c);
  const rows = perImage(kernels as (readonly number[])[], n, 'separableBlur', 'kernels');
  const radius = Math.max(...rows.map((r) => (r.length - 1) / 2));
  const padded = rows.map((r) => {
    if (r.length % 2 !== 1) throw new Error(`separableBlur: kernels must have odd length, got ${r.length}`);
    const z = (radius - (r.length - 1) / 2);
    return [...new Array<number>(z).fill(0), ...r, ...new Array<number>(z).fill(0)];
  });
  return tidy(() => {
    const table = paramTable(padded, 2 * radius + 1, 'separableBlur');
    const params = { total: img.size, h, w, planes: c, radius, border: BORDER[border] };
    const mid = Tensor.empty(img.shape);
    getGpu().dispatch(K_H, [img.buffer, table.buffer, mid.buffer], params, grid);
    const out = Tensor.empty(img.shape);
    getGpu().dispatch(K_V, [mid.buffer, table.buffer, out.buffer], params, grid);
    return out;
  });
}

/** cv2.GaussianBlur(img, (k, k), σ) — one spec for all images or one per image. */
export function gaussianBlur(img: Tensor, spec: BlurSpec | readonly BlurSpec[], border: BlurBorder = 'reflect101'): Tensor {
  const { n } = imageDims(img, 'gaussianBlur');
  const kernels = perImage(spec, n, 'gaussianBlur', 'blur specs').map((s) => gaussianKernel1d(s.k, s.sigma ?? 0));
  return separableBlur(img, kernels, border);
}

/** scipy.ndimage.gaussian_filter(x, σ) (mode 'reflect', truncate 4): what albumentations' elastic transform blurs with. */
export function scipyGaussianKernel1d(sigma: number, truncate = 4): number[] {
  const r = Math.floor(truncate * sigma + 0.5);
  const w = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-0.5 * ((i - r) / sigma) ** 2));
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}
