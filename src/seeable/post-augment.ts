// Post-augmentation of a rendered discrepancy (method spec §3.2 step 6, SBI get_transforms):
// RGBShift ±20 (p 0.3), HueSaturationValue ±0.3 (p 0.3), RandomBrightnessContrast ±0.3 (p 0.3),
// JPEG at quality U{40..100} (p 0.5). The JPEG codec is injected (sharp in Node, a canvas in the
// browser) so this module stays platform-free.
import type { Rng } from '../tensor/random.ts';
import { colorAffine, hsvShift } from './cpu-image.ts';
import { chwToRgb, rgbToChw, type ChwImage, type RgbImage } from './image.ts';

export type JpegCodec = (img: RgbImage, quality: number) => Promise<RgbImage>;

export interface PostAugParams {
  shift: [number, number, number] | null;
  hsv: [number, number, number] | null;
  brightnessContrast: [number, number] | null;
  jpegQuality: number | null;
}

export function samplePostAug(rng: Rng): PostAugParams {
  const shift = rng.uniform() < 0.3 ? ([0, 1, 2].map(() => rng.uniform(-20, 20) / 255) as [number, number, number]) : null;
  const hsv = rng.uniform() < 0.3
    ? ([rng.uniform(-0.3, 0.3) / 180, rng.uniform(-0.3, 0.3) / 255, rng.uniform(-0.3, 0.3) / 255] as [number, number, number])
    : null;
  const brightnessContrast = rng.uniform() < 0.3 ? ([1 + rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)] as [number, number]) : null;
  const jpegQuality = rng.uniform() < 0.5 ? 40 + rng.int(61) : null;
  return { shift, hsv, brightnessContrast, jpegQuality };
}

/** Quantise to 8 bits as the uint8 pipeline of SBI does between steps. */
export function quantize(img: ChwImage): ChwImage {
  return { ...img, data: img.data.map((v) => Math.round(Math.min(1, Math.max(0, v)) * 255) / 255) };
}

/** Apply the drawn post-augmentation; without a codec a drawn JPEG step is an error, never skipped. */
export async function applyPostAug(img: ChwImage, p: PostAugParams, jpeg?: JpegCodec): Promise<ChwImage> {
  let x = quantize(img);
  if (p.shift) x = colorAffine(x, [1, 1, 1], p.shift);
  if (p.hsv) x = hsvShift(x, ...p.hsv);
  if (p.brightnessContrast) {
    const [a, b] = p.brightnessContrast;
    x = colorAffine(x, [a, a, a], [b, b, b]);
  }
  x = quantize(x);
  if (p.jpegQuality !== null) {
    if (!jpeg) throw new Error('post-augmentation drew a JPEG step but no JPEG codec was given');
    const out = await jpeg(chwToRgb(x.data, x.width, x.height), p.jpegQuality);
    x = { ...x, data: rgbToChw(out) };
  }
  return x;
}
