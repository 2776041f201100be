// The tiny face detector on our kernels vs @vladmandic/face-api's own (TF.js CPU backend): the raw
// head on the same image (each side doing its own pad-to-square + legacy bilinear resize), and the
// decoded, NMS'd detections; plus our NMS against face-api's on random boxes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { setupGpu } from '../helpers/harness.ts';
import { decodeImage } from '../../src/io/images.ts';
import { nonMaxSuppression } from '../../src/models/face/nms.ts';
import { squareInput } from '../../src/models/face/preprocess.ts';
import { decodeTinyHead, TinyFaceDetector } from '../../src/models/face/tiny-detector.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { peerNms, peerTinyDetect } from './face-peer.ts';

const VAL = '/work/shared/data/val';
const SIZE = 224;
/** raw head logits: max |Δ| (relative to the head's max |value|) */
const HEAD_REL = 1e-4;
/** relative box coordinates and scores */
const BOX_TOL = 1e-4;

let det: TinyFaceDetector;
before(async () => {
  await setupGpu();
  det = TinyFaceDetector.load(new Uint8Array(readFileSync(join(import.meta.dirname, '../../weights/tiny-face-detector.safetensors'))));
});
after(() => det?.dispose());

/** Square val images as stored, and non-square ones (stretched) to exercise pad-to-square and the box correction. */
const CASES: [string, { width: number; height: number } | null][] = [
  ['helen_te_2973812451_1.jpg', null], ['lfw_real_1032.jpg', null],
  ['lfw_real_1039.jpg', { width: 301, height: 230 }], ['helen_te_2983659912_1.jpg', { width: 170, height: 263 }],
];

for (const [file, stretch] of CASES) {
  test(`${file}${stretch ? ` at ${stretch.width}×${stretch.height}` : ''}: head and detections agree with face-api at ${SIZE}²`, async () => {
    const bytes = stretch ? await sharp(join(VAL, file)).resize({ ...stretch, fit: 'fill' }).png().toBuffer() : join(VAL, file);
    const img = await decodeImage(bytes instanceof Buffer ? new Uint8Array(bytes) : bytes);
    const sq = squareInput(img, { x: 0, y: 0, width: img.width, height: img.height }, SIZE, false);
    const x = tensor(sq.chw, [1, 3, SIZE, SIZE]);
    const y = det.forward(x);
    const head = await y.readF32();
    const cells = y.shape[2];
    x.dispose();
    y.dispose();
    const peer = await peerTinyDetect(img.data, img.width, img.height, SIZE, 0.3);
    assert.equal(peer.cells, cells);
    let worst = 0, scale = 0;
    for (let r = 0; r < cells; r++) for (let c = 0; c < cells; c++) for (let k = 0; k < 25; k++) {
      const o = head[(k * cells + r) * cells + c], p = peer.head[(r * cells + c) * 25 + k];
      assert.ok(Number.isFinite(o), `head[${k},${r},${c}] = ${o}`);
      worst = Math.max(worst, Math.abs(o - p));
      scale = Math.max(scale, Math.abs(p));
    }
    console.log(`${file}: head max |Δ| ${worst.toExponential(2)} (max |value| ${scale.toFixed(2)})`);
    assert.ok(worst <= HEAD_REL * scale, `head max |Δ| ${worst}`);

    const s = SIZE / Math.max(img.width, img.height);
    const ours = decodeTinyHead(head, cells, SIZE, { width: Math.round(img.width * s), height: Math.round(img.height * s) }, 0.3);
    assert.ok(peer.detections.length >= 1, 'face-api finds the face');
    assert.equal(ours.length, peer.detections.length);
    for (let i = 0; i < ours.length; i++) {
      const [o, p] = [ours[i], peer.detections[i]];
      assert.ok(Math.abs(o.score - p.score) <= BOX_TOL, `score ${o.score} vs ${p.score}`);
      for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[k] - p.box[k]) <= BOX_TOL, `${k} ${o.box[k]} vs ${p.box[k]}`);
    }
    console.log(`${file}: ${ours.length} face(s), best score ${ours[0].score.toFixed(4)}`);
  });
}

test('NMS picks what face-api picks (random overlapping boxes, several thresholds)', async () => {
  const rng = new Rng(9);
  for (let trial = 0; trial < 20; trial++) {
    const n = 3 + (trial % 17);
    const boxes = Array.from({ length: n }, () => ({ x: rng.uniform() * 0.5, y: rng.uniform() * 0.5, width: 0.1 + rng.uniform() * 0.4, height: 0.1 + rng.uniform() * 0.4 }));
    const scores = boxes.map(() => rng.uniform());
    for (const t of [0.2, 0.4, 0.7]) assert.deepEqual(nonMaxSuppression(boxes, scores, t), await peerNms(boxes, scores, t), `trial ${trial} iou ${t}`);
  }
});
