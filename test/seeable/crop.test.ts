import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cropBox, cropResize, flipImage, landmarksInCrop, prepareFace } from '../../src/seeable/crop.ts';
import { FLIP_68, flipLandmarks, landmarkBox, parseLandmarks68 } from '../../src/seeable/landmarks.ts';
import { Rng } from '../../src/tensor/random.ts';
import { faceLandmarks, texturedImage } from './fixtures.ts';

describe('68-point flip', () => {
  it('the permutation is an involution over 0..67', () => {
    assert.deepEqual([...FLIP_68].sort((a, b) => a - b), Array.from({ length: 68 }, (_, i) => i));
    for (let i = 0; i < 68; i++) assert.equal(FLIP_68[FLIP_68[i]], i);
  });
  it('maps the right eye to the left eye, brows to brows, jaw ends to jaw ends; midline fixed', () => {
    // iBUG: 36..41 right eye (image-left), 42..47 left eye; corners 36↔45, 39↔42.
    assert.deepEqual([36, 37, 38, 39, 40, 41].map((i) => FLIP_68[i]), [45, 44, 43, 42, 47, 46]);
    assert.deepEqual([17, 21, 0, 16, 48, 54, 31, 35].map((i) => FLIP_68[i]), [26, 22, 16, 0, 54, 48, 35, 31]);
    for (const m of [8, 27, 28, 29, 30, 33, 51, 57, 62, 66]) assert.equal(FLIP_68[m], m);
  });
  it('flipping landmarks twice is the identity; a flipped face keeps its eyes on the correct sides', () => {
    const lm = faceLandmarks(20.5, 11, 60, 70);
    const f = flipLandmarks(lm, 101);
    const back = flipLandmarks(f, 101);
    for (let i = 0; i < 136; i++) assert.ok(Math.abs(back[i] - lm[i]) < 1e-12);
    // after the flip, point 36 (the right eye's outer corner) is again on the image-left side
    assert.ok(f[2 * 36] < f[2 * 45]);
    assert.ok(Math.abs(f[2 * 36] - (100 - lm[2 * 45])) < 1e-12);
  });
  it('image and landmark flips agree: a marked pixel lands on the flipped landmark', () => {
    const img = texturedImage(33, 21, 4);
    const lm = faceLandmarks(5, 3, 20, 15).map(Math.round) as Float64Array;
    const i = 36;
    const x = lm[2 * i], y = lm[2 * i + 1];
    img.data.set([255, 0, 255], 3 * (y * 33 + x));
    const fi = flipImage(img);
    const fl = flipLandmarks(lm, 33);
    const j = FLIP_68[i]; // the flipped face's point j is the mirror of point i
    const o = 3 * (fl[2 * j + 1] * 33 + fl[2 * j]);
    assert.deepEqual([...fi.data.subarray(o, o + 3)], [255, 0, 255]);
  });
});

describe('landmark parsing', () => {
  it('accepts 68 finite pairs and names the problem otherwise', () => {
    const good = Array.from({ length: 68 }, (_, i) => [i, i + 0.5]);
    assert.equal(parseLandmarks68(good)[135], 67.5);
    assert.throws(() => parseLandmarks68(good.slice(1)), /expected 68 points, got 67/);
    assert.throws(() => parseLandmarks68({}), /expected an array/);
    const bad = good.map((p) => [...p]);
    bad[7] = [1, 'x' as unknown as number];
    assert.throws(() => parseLandmarks68(bad), /point 7 has a non-finite/);
    bad[7] = [1, 2, 3];
    assert.throws(() => parseLandmarks68(bad), /point 7 is not an \[x, y\] pair/);
  });
});

describe('crop geometry (§2.3)', () => {
  const lm = faceLandmarks(100, 150, 80, 100); // box ≈ 100..180 × 150..250
  it('test margins: w/16 left and right, h/4 top, h/10 bottom, floored, +1 on the far edges', () => {
    const b = landmarkBox(lm);
    const w = b.x1 - b.x0, h = b.y1 - b.y0;
    const box = cropBox(lm, 400, 400, 'test');
    assert.deepEqual(box, {
      x0: Math.floor(b.x0 - w / 16), x1: Math.floor(b.x1 + w / 16) + 1,
      y0: Math.floor(b.y0 - h / 4), y1: Math.floor(b.y1 + h / 10) + 1,
    });
  });
  it('wide pre-crop: w/2 each side, h above, 0.4h below; clamped to the image', () => {
    const b = landmarkBox(lm);
    const w = b.x1 - b.x0, h = b.y1 - b.y0;
    assert.deepEqual(cropBox(lm, 400, 400, 'wide'), {
      x0: Math.floor(b.x0 - w / 2), x1: Math.floor(b.x1 + w / 2) + 1, y0: Math.floor(b.y0 - h), y1: Math.floor(b.y1 + 0.4 * h) + 1,
    });
    assert.deepEqual(cropBox(lm, 200, 200, 'wide'), { x0: Math.floor(b.x0 - w / 2), x1: 200, y0: Math.floor(b.y0 - h), y1: 200 });
  });
  it('train margins are within the ×0.2..×0.8 range and reproducible from the seed', () => {
    const b = landmarkBox(lm);
    const w = b.x1 - b.x0, h = b.y1 - b.y0;
    const a = cropBox(lm, 400, 400, 'train', new Rng(5));
    assert.deepEqual(cropBox(lm, 400, 400, 'train', new Rng(5)), a);
    assert.ok(a.x0 <= Math.floor(b.x0 - (w / 8) * 0.2) && a.x0 >= Math.floor(b.x0 - (w / 8) * 0.8));
    assert.ok(a.y0 <= Math.floor(b.y0 - (h / 2) * 0.2) && a.y0 >= Math.floor(b.y0 - (h / 2) * 0.8));
    assert.ok(a.y1 >= Math.floor(b.y1 + (h / 5) * 0.2) + 1 && a.y1 <= Math.floor(b.y1 + (h / 5) * 0.8) + 1);
    assert.throws(() => cropBox(lm, 400, 400, 'train'), /needs an Rng/);
  });
  it('cropResize samples like a bilinear resize with aligned pixel centres', () => {
    const img = texturedImage(40, 30, 2);
    const box = { x0: 3, y0: 5, x1: 23, y1: 25 };
    // resizing 20×20 to 20×20 is a copy
    const same = cropResize(img, box, 20);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) {
      assert.equal(same.data[y * 20 + x], Math.fround(img.data[3 * ((y + 5) * 40 + x + 3)] / 255));
    }
    // halving averages each 2×2 block
    const half = cropResize(img, box, 10);
    const px = (x: number, y: number, c: number) => img.data[3 * ((y + 5) * 40 + x + 3) + c];
    const ref = (px(4, 6, 1) + px(5, 6, 1) + px(4, 7, 1) + px(5, 7, 1)) / 4 / 255;
    assert.ok(Math.abs(half.data[100 + 3 * 10 + 2] - ref) < 1e-6);
    // landmarks follow the same mapping: pixel centre (x0 + 0.5 + 2i) → i + ... in the half-size crop
    const l = landmarksInCrop(Float64Array.from([3 + 4.5, 5 + 6.5]), box, 10);
    assert.deepEqual([...l], [2, 3]);
  });
  it('prepareFace: training flips with p ≈ 0.5, deterministic per seed; test never flips', () => {
    const img = texturedImage(300, 320, 3);
    let flips = 0;
    const rng = new Rng(9);
    for (let i = 0; i < 40; i++) flips += prepareFace(img, lm, { size: 16, phase: 'train', rng }).flipped ? 1 : 0;
    assert.ok(flips > 8 && flips < 32, `${flips}/40 flips`);
    const a = prepareFace(img, lm, { size: 24, phase: 'train', rng: new Rng(2) });
    const b = prepareFace(img, lm, { size: 24, phase: 'train', rng: new Rng(2) });
    assert.deepEqual(a.image.data, b.image.data);
    assert.deepEqual(a.landmarks, b.landmarks);
    const t = prepareFace(img, lm, { size: 24, phase: 'test' });
    assert.equal(t.flipped, false);
    assert.ok(t.wideRatio.x > 1.5 && t.wideRatio.y > 1.3, JSON.stringify(t.wideRatio));
  });
});
