// Image files ↔ pixels in Node (sharp). Pixels are interleaved RGB uint8 (`RgbImage`) as stored:
// no EXIF rotation, so landmark coordinates stay those of the stored pixels. The engine side
// (src/seeable) converts to float [C,H,W]; the browser has its own decoder (ImageBitmap).
import sharp from 'sharp';
import type { RgbImage } from '../seeable/image.ts';

export type { RgbImage } from '../seeable/image.ts';
export { rgbToChw, chwToRgb } from '../seeable/image.ts';

/** Decode a JPEG/PNG (path or bytes) to RGB uint8; grey and alpha inputs become RGB. */
export async function decodeImage(input: string | Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(input, { failOn: 'error' }).raw().toBuffer({ resolveWithObject: true });
  const { width, height, channels } = info;
  if (channels === 3) return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const out = new Uint8Array(width * height * 3);
  for (let i = 0, n = width * height; i < n; i++) {
    if (channels <= 2) {
      out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = data[i * channels];
    } else {
      for (let c = 0; c < 3; c++) out[3 * i + c] = data[i * channels + c];
    }
  }
  return { width, height, data: out };
}

function raw(img: RgbImage) {
  if (img.data.length !== img.width * img.height * 3) {
    throw new Error(`RgbImage ${img.width}×${img.height} needs ${img.width * img.height * 3} bytes, got ${img.data.length}`);
  }
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
}

export async function encodePng(img: RgbImage): Promise<Uint8Array> {
  return new Uint8Array(await raw(img).png({ compressionLevel: 9 }).toBuffer());
}

/** JPEG at quality 1..100 (4:2:0 chroma subsampling, libjpeg's default, like OpenCV's imencode). */
export async function encodeJpeg(img: RgbImage, quality: number): Promise<Uint8Array> {
  const q = Math.round(quality);
  if (!(q >= 1 && q <= 100)) throw new Error(`JPEG quality must be in 1..100, got ${quality}`);
  return new Uint8Array(await raw(img).jpeg({ quality: q, chromaSubsampling: '4:2:0' }).toBuffer());
}

/** Compress and decompress: the JPEG step of the post-augmentation. */
export async function jpegRoundTrip(img: RgbImage, quality: number): Promise<RgbImage> {
  return decodeImage(await encodeJpeg(img, quality));
}
