// detectFaces() end to end vs face-api's detectAllFaces().withFaceLandmarks() on TF.js CPU: same boxes,
// scores, and landmarks (face-api's crop-relative landmarks placed at the crop's corner: see index.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { setupGpu } from '../helpers/harness.ts';
import { decodeImage } from '../../src/io/images.ts';
import { cropRect, detectFaces, FaceLandmark68Net, TinyFaceDetector, type FaceModels } from '../../src/models/face/index.ts';
import { peerDetectFaces } from './face-peer.ts';

const W = join(import.meta.dirname, '../../weights');
const VAL = '/work/shared/data/val';
/** landmark and box coordinates, image pixels */
const PX_TOL = 0.01;

let models: FaceModels;
before(async () => {
  await setupGpu();
  models = {
    detector: TinyFaceDetector.load(new Uint8Array(readFileSync(join(W, 'tiny-face-detector.safetensors')))),
    landmarks: FaceLandmark68Net.load(new Uint8Array(readFileSync(join(W, 'face-landmark-68.safetensors')))),
  };
});
after(() => { models?.detector.dispose(); models?.landmarks.dispose(); });

test('two faces side by side (a non-square image): boxes, scores, landmarks agree with face-api', async () => {
  // Two val faces at different scales next to each other on a 352×224 canvas.
  const a = await sharp(join(VAL, 'lfw_real_1032.jpg')).resize(200, 200).png().toBuffer();
  const b = await sharp(join(VAL, 'helen_te_2973812451_1.jpg')).resize(150, 150).png().toBuffer();
  const canvas = await sharp({ create: { width: 352, height: 224, channels: 3, background: { r: 90, g: 120, b: 150 } } })
    .composite([{ input: a, left: 0, top: 12 }, { input: b, left: 190, top: 40 }]).png().toBuffer();
  const img = await decodeImage(new Uint8Array(canvas));
  const ours = await detectFaces(img, models, { inputSize: 320, scoreThreshold: 0.4 });
  const peer = await peerDetectFaces(img.data, img.width, img.height, 320, 0.4);
  console.log(`faces: ours ${ours.length}, face-api ${peer.length}; scores ${ours.map((f) => f.score.toFixed(3)).join(', ')}`);
  assert.equal(peer.length, 2, 'face-api finds both faces');
  assert.equal(ours.length, peer.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    const [o, p] = [ours[i], peer[i]];
    assert.ok(Math.abs(o.score - p.score) < 1e-4, `score ${o.score} vs ${p.score}`);
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(o.box[k] - p.box[k]) < PX_TOL, `box.${k} ${o.box[k]} vs ${p.box[k]}`);
    const crop = cropRect(p.box, img.width, img.height)!;
    assert.deepEqual(o.crop, crop);
    for (let k = 0; k < 68; k++) {
      for (const d of [0, 1]) {
        const want = p.unshifted[k][d] + (d ? crop.y : crop.x);
        assert.ok(Number.isFinite(o.landmarks68[k][d]));
        worst = Math.max(worst, Math.abs(o.landmarks68[k][d] - want));
      }
    }
  }
  console.log(`landmarks max |Δ| ${worst.toExponential(2)} px`);
  assert.ok(worst <= PX_TOL, `landmarks max |Δ| ${worst} px`);
});
