// Image bytes → RGB pixels in the browser: the browser's own decoder (createImageBitmap) without
// colour conversion or premultiplication, read back through a CPU-backed 2D canvas. For a PNG this
// gives the same pixels as sharp in Node (JPEG decoders may differ by a unit here and there).
import type { RgbImage } from '../seeable/image.ts';

export async function decodeImageBlob(blob: Blob): Promise<RgbImage> {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    const { width, height } = bitmap;
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true, colorSpace: 'srgb' });
    if (!ctx) throw new Error('this browser gives no 2D canvas to read the decoded pixels');
    ctx.drawImage(bitmap, 0, 0);
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < width * height; i++) {
      data[3 * i] = rgba[4 * i];
      data[3 * i + 1] = rgba[4 * i + 1];
      data[3 * i + 2] = rgba[4 * i + 2];
    }
    return { width, height, data };
  } finally {
    bitmap.close();
  }
}
