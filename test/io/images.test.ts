import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { chwToRgb, decodeImage, encodeJpeg, encodePng, jpegRoundTrip, rgbToChw } from '../../src/io/images.ts';
import { texturedImage } from '../seeable/fixtures.ts';

describe('image I/O', () => {
  const img = texturedImage(37, 23, 9);
  it('PNG round trip is exact; CHW float conversion round-trips', async () => {
    const back = await decodeImage(await encodePng(img));
    assert.equal(back.width, 37);
    assert.equal(back.height, 23);
    assert.deepEqual(back.data, img.data);
    const chw = rgbToChw(img);
    assert.equal(chw[37 * 23 + 5], Math.fround(img.data[3 * 5 + 1] / 255)); // channel 1, pixel 5
    assert.deepEqual(chwToRgb(chw, 37, 23).data, img.data);
  });
  it('JPEG quality controls the loss: q 100 is close, q 40 further, and smaller', async () => {
    const err = (a: Uint8Array) => a.reduce((s, v, i) => s + Math.abs(v - img.data[i]), 0) / a.length;
    const hi = await jpegRoundTrip(img, 100);
    const lo = await jpegRoundTrip(img, 40);
    assert.ok(err(hi.data) < err(lo.data), `${err(hi.data)} vs ${err(lo.data)}`);
    // (4:2:0 chroma subsampling dominates the error on this noisy texture: ≈ 11 levels even at q 100)
    assert.ok((await encodeJpeg(img, 40)).length < (await encodeJpeg(img, 100)).length);
    await assert.rejects(encodeJpeg(img, 0), /quality must be in 1\.\.100/);
  });
  it('grey and RGBA inputs decode to RGB', async () => {
    const grey = await sharp(Buffer.from([0, 128, 255, 7]), { raw: { width: 2, height: 2, channels: 1 } }).png().toBuffer();
    const g = await decodeImage(grey);
    assert.deepEqual([...g.data], [0, 0, 0, 128, 128, 128, 255, 255, 255, 7, 7, 7]);
    const rgba = await sharp(Buffer.from([1, 2, 3, 255, 4, 5, 6, 0]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    assert.deepEqual([...(await decodeImage(rgba)).data], [1, 2, 3, 4, 5, 6]);
  });
});
