// A plain RGB uint8 canvas for the gallery: paste float [3,S,S] tiles, draw mask outlines, and
// show amplified differences. sharp encodes the result.
import type { ChwImage } from '../seeable/image.ts';

export class Canvas {
  readonly data: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.data = new Uint8Array(width * height * 3).fill(24);
  }

  private put(x: number, y: number, rgb: readonly number[]): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const o = 3 * (y * this.width + x);
    this.data[o] = rgb[0];
    this.data[o + 1] = rgb[1];
    this.data[o + 2] = rgb[2];
  }

  drawChw(img: ChwImage, x0: number, y0: number): void {
    const n = img.width * img.height;
    for (let y = 0; y < img.height; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = y * img.width + x;
        const v = [0, 1, 2].map((c) => Math.round(255 * Math.min(1, Math.max(0, img.data[c * n + i]))));
        this.put(x0 + x, y0 + y, v);
      }
    }
  }

  /** Mean |a − b| over channels × gain, as grey. */
  drawDiff(a: ChwImage, b: ChwImage, gain: number, x0: number, y0: number): void {
    const n = a.width * a.height;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let c = 0; c < 3; c++) d += Math.abs(a.data[c * n + i] - b.data[c * n + i]);
      const v = Math.min(255, Math.round((255 * gain * d) / 3));
      this.put(x0 + (i % a.width), y0 + Math.floor(i / a.width), [v, v, v]);
    }
  }

  /** Pixels of the mask with a 4-neighbour outside it. */
  outline(mask: Uint8Array, size: number, x0: number, y0: number, rgb: readonly number[]): void {
    const at = (x: number, y: number) => (x >= 0 && y >= 0 && x < size && y < size ? mask[y * size + x] : 0);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (at(x, y) && (!at(x - 1, y) || !at(x + 1, y) || !at(x, y - 1) || !at(x, y + 1))) this.put(x0 + x, y0 + y, rgb);
      }
    }
  }
}
