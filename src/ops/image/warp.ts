// Affine warps and dense remaps of images and masks, OpenCV semantics (cv2.warpAffine, cv2.remap):
// pixel centres at integer coordinates; bilinear or nearest sampling; constant, reflect-101 or
// replicate borders. Data generation only: no autograd.
import { getGpu } from '../../gpu/device.ts';
import { defineKernel } from '../../gpu/kernel.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { fmt } from '../shape-utils.ts';
import { imageDims, imageGrid, paramTable, perImage, withSpatial } from './common.ts';

const SAMPLE_PARAMS = [
  ['total', 'u32'], ['h', 'u32'], ['w', 'u32'], ['oh', 'u32'], ['ow', 'u32'], ['planes', 'u32'],
  ['interp', 'u32'], ['border', 'u32'], ['value', 'f32'], ['map_stride', 'u32'], ['relative', 'u32'],
] as const;
const K_AFFINE = defineKernel({ file: 'warp', entry: 'warp_affine', params: SAMPLE_PARAMS, reads: 2, writes: 1, workgroupSize: 256 });
const K_REMAP = defineKernel({ file: 'warp', entry: 'remap', params: SAMPLE_PARAMS, reads: 3, writes: 1, workgroupSize: 256 });

export type Interp = 'bilinear' | 'nearest';
export type SampleBorder = 'constant' | 'reflect101' | 'replicate';
const BORDER: Record<SampleBorder, number> = { constant: 0, reflect101: 1, replicate: 2 };

export interface SampleOptions {
  interp?: Interp;
  /** default 'constant' (with borderValue 0) */
  border?: SampleBorder;
  borderValue?: number;
}

/** A 2×3 affine matrix [a, b, c, d, e, f]: (x, y) ↦ (a·x + b·y + c, d·x + e·y + f). */
export type Affine = readonly [number, number, number, number, number, number];

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error(`invertAffine: singular matrix [${m.join(', ')}]`);
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/**
 * The forward matrix of albumentations' Affine (scale and rotation about the image centre
 * (w/2 − 0.5, h/2 − 0.5), then a translation in pixels): p' = R·s·(p − c) + c + t.
 */
export function affineAboutCenter(h: number, w: number, o: { scale?: number; rotateDeg?: number; tx?: number; ty?: number } = {}): Affine {
  const s = o.scale ?? 1;
  const r = ((o.rotateDeg ?? 0) * Math.PI) / 180;
  const cx = w / 2 - 0.5;
  const cy = h / 2 - 0.5;
  const a = s * Math.cos(r);
  const b = -s * Math.sin(r);
  const d = s * Math.sin(r);
  const e = s * Math.cos(r);
  return [a, b, cx + (o.tx ?? 0) - a * cx - b * cy, d, e, cy + (o.ty ?? 0) - d * cx - e * cy];
}

function sampleParams(o: SampleOptions) {
  return { interp: (o.interp ?? 'bilinear') === 'nearest' ? 1 : 0, border: BORDER[o.border ?? 'constant'], value: o.borderValue ?? 0 };
}

/**
 * cv2.warpAffine of an image [H, W] / [C, H, W] / [N, C, H, W] with a forward matrix M (src → dst), one for all
 * images or one per image. `inverseMap` means M already maps dst → src (cv2.WARP_INVERSE_MAP).
 */
export function warpAffine(
  img: Tensor,
  m: Affine | readonly Affine[],
  opts: SampleOptions & { outH?: number; outW?: number; inverseMap?: boolean } = {},
): Tensor {
  const { n, c, h, w } = imageDims(img, 'warpAffine');
  const oh = opts.outH ?? h;
  const ow = opts.outW ?? w;
  const list = Array.isArray(m[0]) ? (m as readonly Affine[]) : [m as Affine];
  const rows = perImage(list, n, 'warpAffine', 'matrices').map((a) => [...(opts.inverseMap ? a : invertAffine(a))]);
  const table = paramTable(rows, 6, 'warpAffine');
  const out = Tensor.empty(withSpatial(img.shape, oh, ow));
  getGpu().dispatch(K_AFFINE, [img.buffer, table.buffer, out.buffer],
    { total: out.size, h, w, oh, ow, planes: c, ...sampleParams(opts), map_stride: 0, relative: 0 }, imageGrid(oh, ow, n * c));
  table.dispose();
  return out;
}

/**
 * cv2.remap: dst(x, y) = src(mapX(x, y), mapY(x, y)). Maps are [oh, ow] (shared by every image) or
 * [N, oh, ow] / [N, 1, oh, ow] (one per image). With `relative`, the maps are displacements added to (x, y).
 */
export function remap(img: Tensor, mapX: Tensor, mapY: Tensor, opts: SampleOptions & { relative?: boolean } = {}): Tensor {
  const { n, c, h, w } = imageDims(img, 'remap');
  const ms = mapX.shape;
  if (mapX.dtype !== 'f32' || mapY.dtype !== 'f32' || ms.length < 2 || ms.join() !== mapY.shape.join()) {
    throw new Error(`remap: mapX ${fmt(ms)} and mapY ${fmt(mapY.shape)} must be equal f32 shapes [..., oh, ow]`);
  }
  const oh = ms[ms.length - 2];
  const ow = ms[ms.length - 1];
  const maps = mapX.size / (oh * ow);
  if (maps !== 1 && maps !== n) throw new Error(`remap: ${maps} maps for a batch of ${n} images (${fmt(ms)})`);
  const out = Tensor.empty(withSpatial(img.shape, oh, ow));
  getGpu().dispatch(K_REMAP, [img.buffer, mapX.buffer, mapY.buffer, out.buffer], {
    total: out.size, h, w, oh, ow, planes: c, ...sampleParams(opts), map_stride: maps === 1 ? 0 : oh * ow, relative: opts.relative ? 1 : 0,
  }, imageGrid(oh, ow, n * c));
  return out;
}
