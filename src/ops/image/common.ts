// Shared plumbing of the image ops: image shapes ([H, W], [C, H, W] or [N, C, H, W]) and
// per-image parameter tables (one row per image in a batch, uploaded as a small f32 tensor so
// that a batch of differently parameterised augmentations runs in one dispatch).
import { tensor } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { fmt } from '../shape-utils.ts';

export interface ImageDims {
  /** images in the batch (1 for [C, H, W] and [H, W]) */
  n: number;
  /** channels per image */
  c: number;
  h: number;
  w: number;
}

/** Read an image batch shape; [H, W] is one single-channel image. */
export function imageDims(x: Tensor, op: string): ImageDims {
  if (x.dtype !== 'f32') throw new Error(`${op}: expects an f32 image, got ${x.dtype} ${fmt(x.shape)}`);
  const s = x.shape;
  if (s.length === 2) return { n: 1, c: 1, h: s[0], w: s[1] };
  if (s.length === 3) return { n: 1, c: s[0], h: s[1], w: s[2] };
  if (s.length === 4) return { n: s[0], c: s[1], h: s[2], w: s[3] };
  throw new Error(`${op}: expects an image [H, W], [C, H, W] or [N, C, H, W], got ${fmt(s)}`);
}

/** The same leading dims with a new spatial size. */
export function withSpatial(shape: readonly number[], h: number, w: number): number[] {
  return [...shape.slice(0, -2), h, w];
}

/** One value or one per image, as a list of n. */
export function perImage<T>(v: T | readonly T[], n: number, op: string, what: string): T[] {
  if (!Array.isArray(v)) return new Array<T>(n).fill(v as T);
  const list = v as readonly T[];
  if (list.length === 1) return new Array<T>(n).fill(list[0]);
  if (list.length !== n) throw new Error(`${op}: ${list.length} ${what} for a batch of ${n} images`);
  return [...list];
}

/** Upload rows of `width` numbers, one per image, as an f32 [n, width] tensor. */
export function paramTable(rows: readonly (readonly number[])[], width: number, op: string): Tensor {
  const data = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    if (r.length !== width) throw new Error(`${op}: a parameter row has ${r.length} values, expected ${width}`);
    for (let j = 0; j < width; j++) {
      if (!Number.isFinite(r[j])) throw new Error(`${op}: parameter ${j} of image ${i} is ${r[j]}`);
      data[i * width + j] = r[j];
    }
  });
  return tensor(data, [rows.length, width]);
}

/** Workgroup grid of the per-pixel image kernels: x = columns in groups of 256, y = rows, z = planes. */
export function imageGrid(h: number, w: number, planes: number): [number, number, number] {
  if (h > 65535 || planes > 65535) throw new Error(`Image grid ${planes} planes × ${h} rows exceeds 65,535 per dimension`);
  return [Math.ceil(w / 256), h, planes];
}
