// Crop geometry of SBI/SeeABLE by landmarks (method spec §2.3): the base box is the bbox of the 68
// points, margins w/8 left and right, h/2 top, h/5 bottom, times a factor per mode:
//   wide  (the pre-crop before blending, `margin=True`): ×4 horizontally, ×2 vertically;
//   train: each side independently ×U(0.2, 0.8);   test: ×0.5.
// Bounds are floored and clamped to the image; the far edges get SBI's +1. Then a bilinear resize
// to S×S (aspect ratio not kept), pixel centres aligned as in OpenCV's INTER_LINEAR.
import type { Rng } from '../tensor/random.ts';
import type { ChwImage, RgbImage } from './image.ts';
import { flipLandmarks, landmarkBox, type Box, type Landmarks } from './landmarks.ts';

export type CropMode = 'wide' | 'train' | 'test';

/** Integer crop box, x1/y1 exclusive. */
export function cropBox(lm: Landmarks, width: number, height: number, mode: CropMode, rng?: Rng): Box {
  const b = landmarkBox(lm);
  const w = b.x1 - b.x0;
  const h = b.y1 - b.y0;
  let m = [w / 8, w / 8, h / 2, h / 5]; // left, right, top, bottom
  if (mode === 'wide') {
    m = [m[0] * 4, m[1] * 4, m[2] * 2, m[3] * 2];
  } else if (mode === 'train') {
    if (!rng) throw new Error('cropBox: the train mode needs an Rng for its random margins');
    m = m.map((v) => v * rng.uniform(0.2, 0.8));
  } else {
    m = m.map((v) => v * 0.5);
  }
  const x0 = Math.max(0, Math.floor(b.x0 - m[0]));
  const x1 = Math.min(width, Math.floor(b.x1 + m[1]) + 1);
  const y0 = Math.max(0, Math.floor(b.y0 - m[2]));
  const y1 = Math.min(height, Math.floor(b.y1 + m[3]) + 1);
  if (x1 - x0 < 2 || y1 - y0 < 2) {
    throw new Error(`crop box [${x0}, ${x1})×[${y0}, ${y1}) is degenerate for a ${width}×${height} image`);
  }
  return { x0, y0, x1, y1 };
}

/** Mirror an RGB image left-right. */
export function flipImage(img: RgbImage): RgbImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = 3 * (y * w + x);
      const d = 3 * (y * w + (w - 1 - x));
      out[d] = data[s];
      out[d + 1] = data[s + 1];
      out[d + 2] = data[s + 2];
    }
  }
  return { width: w, height: h, data: out };
}

/** Crop `box` out of an RGB image and resize it bilinearly to outW×outH, as float [3,H,W] in [0,1]. */
export function cropResize(img: RgbImage, box: Box, outW: number, outH = outW): ChwImage {
  const { width: W, data } = img;
  const cw = box.x1 - box.x0;
  const ch = box.y1 - box.y0;
  const sx = cw / outW;
  const sy = ch / outH;
  const n = outW * outH;
  const out = new Float32Array(3 * n);
  for (let oy = 0; oy < outH; oy++) {
    const fy = Math.min(Math.max((oy + 0.5) * sy - 0.5, 0), ch - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, ch - 1);
    const wy = fy - y0;
    for (let ox = 0; ox < outW; ox++) {
      const fx = Math.min(Math.max((ox + 0.5) * sx - 0.5, 0), cw - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, cw - 1);
      const wx = fx - x0;
      const r0 = (box.y0 + y0) * W + box.x0;
      const r1 = (box.y0 + y1) * W + box.x0;
      for (let c = 0; c < 3; c++) {
        const a = data[3 * (r0 + x0) + c] * (1 - wx) + data[3 * (r0 + x1) + c] * wx;
        const b = data[3 * (r1 + x0) + c] * (1 - wx) + data[3 * (r1 + x1) + c] * wx;
        out[c * n + oy * outW + ox] = (a * (1 - wy) + b * wy) / 255;
      }
    }
  }
  return { channels: 3, width: outW, height: outH, data: out };
}

/** Landmarks in the frame of `box` resized to outW×outH (same pixel-centre convention as cropResize). */
export function landmarksInCrop(lm: Landmarks, box: Box, outW: number, outH = outW): Landmarks {
  const sx = outW / (box.x1 - box.x0);
  const sy = outH / (box.y1 - box.y0);
  const out = new Float64Array(lm.length);
  for (let i = 0; i < lm.length; i += 2) {
    out[i] = (lm[i] - box.x0 + 0.5) * sx - 0.5;
    out[i + 1] = (lm[i + 1] - box.y0 + 0.5) * sy - 0.5;
  }
  return out;
}

export interface PreparedFace {
  /** S, the model resolution */
  size: number;
  /** the face crop at the model resolution, float [3,S,S] */
  image: ChwImage;
  /** landmarks in that frame */
  landmarks: Landmarks;
  /** the crop box in the source image */
  box: Box;
  /** width and height of the wide pre-crop (§2.3 `margin=True`) in units of this crop: ≈1.7 */
  wideRatio: { x: number; y: number };
  /** model pixels per source-image pixel (S / crop size); converts SBI's pixel-unit parameters */
  scale: { x: number; y: number };
  flipped: boolean;
}

export interface PrepareOptions {
  size: number;
  phase: 'train' | 'test';
  /** needed in training (random flip p = 0.5 and random margins) */
  rng?: Rng;
  /** probability of the horizontal flip in training; default 0.5 */
  flipProb?: number;
}

/**
 * Source image + landmarks → the model-resolution crop the discrepancy generator works on.
 * Training: random flip (p 0.5), random margins; test: no flip, margins ×0.5.
 * We blend on this crop rather than on the wide pre-crop; `wideRatio` lets the generator express
 * the pixel-unit parameters of §3.2 in wide-crop units (see docs/method-departures.md).
 */
export function prepareFace(img: RgbImage, lm: Landmarks, opts: PrepareOptions): PreparedFace {
  let src = img;
  let pts = lm;
  let flipped = false;
  if (opts.phase === 'train') {
    if (!opts.rng) throw new Error('prepareFace: training needs an Rng');
    if (opts.rng.uniform() < (opts.flipProb ?? 0.5)) {
      src = flipImage(img);
      pts = flipLandmarks(lm, img.width);
      flipped = true;
    }
  }
  const box = cropBox(pts, src.width, src.height, opts.phase, opts.rng);
  const wide = cropBox(pts, src.width, src.height, 'wide');
  return {
    size: opts.size,
    image: cropResize(src, box, opts.size),
    landmarks: landmarksInCrop(pts, box, opts.size),
    box,
    wideRatio: { x: (wide.x1 - wide.x0) / (box.x1 - box.x0), y: (wide.y1 - wide.y0) / (box.y1 - box.y0) },
    scale: { x: opts.size / (box.x1 - box.x0), y: opts.size / (box.y1 - box.y0) },
    flipped,
  };
}
