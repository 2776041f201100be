// The SSD MobileNet-V1 face detector on our kernels vs @vladmandic/face-api's own (TF.js CPU backend):
// every anchor's decoded box and score on the same image (each side doing its own pad-to-square +
// legacy bilinear resize to 512²), and the NMS'd detections in image pixels.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { setupGpu } from '../helpers/harness.ts';
import { decodeImage } from '../../src/io/images.ts';
import { squareInput } from '../../src/models/face/preprocess.ts';
import { decodeSsdAnchor } from '../../src/models/face/ssd-decode.ts';
import { detectBoxesSsd, SSD_INPUT, SsdMobilenetV1 } from '../../src/models/face/ssd-mobilenet.ts';
import { tensor } from '../../src/tensor/create.ts';
import { peerSsdDetect } from './face-ssd-peer.ts';

const VAL = '/work/shared/data/val';
/** every anchor: box coordinates (relative to the 512² square) and scores, max |Δ| */
const ANCHOR_TOL = 2e-4;
/** detections: box coordinates in image pixels, and scores */
const PX_TOL = 0.01;
const SCORE_TOL = 1e-4;

let net: SsdMobilenetV1;
before(async () => {
  await setupGpu();
  net = SsdMobilenetV1.load(new Uint8Array(readFileSync(join(import.meta.dirname, '../../weights/ssd-mobilenet-v1.safetensors'))));
});
after(() => net?.dispose());

// One forward of face-api's SSD on TF.js CPU takes ~40–60 s on this machine, so one image: two val
// faces at different scales side by side on a non-square canvas (pad-to-square, box scaling, NMS
// across faces).
test('two faces on a 352×224 canvas: every anchor and the detections agree with face-api', async () => {
  const a = await sharp(join(VAL, 'lfw_real_1032.jpg')).resize(200, 200).png().toBuffer();
  const b = await sharp(join(VAL, 'helen_te_2983659912_1.jpg')).resize(150, 150).png().toBuffer();
  const canvas = await sharp({ create: { width: 352, height: 224, channels: 3, background: { r: 90, g: 120, b: 150 } } })
    .composite([{ input: a, left: 0, top: 12 }, { input: b, left: 190, top: 40 }]).png().toBuffer();
  const img = await decodeImage(new Uint8Array(canvas));
  const file = 'canvas';
  const sq = squareInput(img, { x: 0, y: 0, width: img.width, height: img.height }, SSD_INPUT, false);
  const x = tensor(sq.chw, [1, 3, SSD_INPUT, SSD_INPUT]);
  const y = net.forward(x);
  const head = await y.readF32();
  x.dispose();
  y.dispose();
  const peer = await peerSsdDetect(img.data, img.width, img.height, 0.3);
  const n = net.anchors.length / 4;
  assert.equal(peer.scores.length, n);
  let worstBox = 0, worstScore = 0;
  for (let j = 0; j < n; j++) {
    const { box: b, score } = decodeSsdAnchor(head, net.anchors, j);
    const ours = [b.y, b.x, b.y + b.height, b.x + b.width];
    for (let k = 0; k < 4; k++) {
      assert.ok(Number.isFinite(ours[k]), `anchor ${j}: ${ours}`);
      worstBox = Math.max(worstBox, Math.abs(ours[k] - peer.boxes[j * 4 + k]));
    }
    worstScore = Math.max(worstScore, Math.abs(score - peer.scores[j]));
  }
  console.log(`${file}: ${n} anchors, box max |Δ| ${worstBox.toExponential(2)}, score max |Δ| ${worstScore.toExponential(2)}`);
  assert.ok(worstBox <= ANCHOR_TOL, `anchor boxes max |Δ| ${worstBox}`);
  assert.ok(worstScore <= ANCHOR_TOL, `anchor scores max |Δ| ${worstScore}`);

  const ours = await detectBoxesSsd(img, net, { scoreThreshold: 0.3 });
  assert.equal(peer.detections.length, 2, 'face-api finds both faces');
  assert.equal(ours.length, peer.detections.length);
  for (let i = 0; i < ours.length; i++) {
    const [o, p] = [ours[i], peer.detections[i]];
    assert.ok(Math.abs(o.score - p.score) <= SCORE_TOL, `score ${o.score} vs ${p.score}`);
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[k] - p.box[k]) <= PX_TOL, `${k} ${o.box[k]} vs ${p.box[k]}`);
  }
  console.log(`${file}: ${ours.length} faces, scores ${ours.map((d) => d.score.toFixed(4)).join(', ')}`);
});
