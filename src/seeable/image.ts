// Host-side pixel containers shared by Node and the browser: interleaved RGB uint8 as decoded,
// and planar float [3,H,W] in [0,1] as the GPU ops take them.

export interface RgbImage {
  width: number;
  height: number;
  /** interleaved RGB, row-major, length width·height·3 */
  data: Uint8Array;
}

/** A planar float image [C,H,W], values in [0,1]. */
export interface ChwImage {
  channels: number;
  width: number;
  height: number;
  data: Float32Array;
}

/** uint8 interleaved RGB → float [3,H,W] in [0,1]. */
export function rgbToChw(img: RgbImage): Float32Array {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = data[3 * i + c] / 255;
  return out;
}

/** float [3,H,W] in [0,1] → uint8 interleaved RGB (rounded, clipped). */
export function chwToRgb(chw: Float32Array, width: number, height: number): RgbImage {
  const n = width * height;
  if (chw.length !== 3 * n) throw new Error(`chwToRgb: ${chw.length} values for 3×${height}×${width}`);
  const data = new Uint8Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) data[3 * i + c] = Math.min(255, Math.max(0, Math.round(chw[c * n + i] * 255)));
  }
  return { width, height, data };
}

export function chwImage(img: RgbImage): ChwImage {
  return { channels: 3, width: img.width, height: img.height, data: rgbToChw(img) };
}
