// tiny+ssd: the SSD runs only where the tiny detector finds no face. lfw_real_183.jpg (val) is one of
// the faces the tiny detector misses at input 224 and the SSD finds (bench/results/faces-val-n564-*.json).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setupGpu } from '../helpers/harness.ts';
import { loadFaceModels } from '../../src/io/face-weights.ts';
import { decodeImage } from '../../src/io/images.ts';
import { detectFaces, iou, type FaceModels } from '../../src/models/face/index.ts';
import { readSplit } from '../../src/io/dataset.ts';

const VAL = join(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'val');
const FILE = 'lfw_real_183.jpg';

let models: FaceModels;
before(async () => {
  await setupGpu();
  models = loadFaceModels(undefined, 'tiny+ssd');
});
after(() => { models?.detector.dispose(); models?.fallback?.dispose(); models?.landmarks.dispose(); });

test('tiny+ssd finds the face the tiny detector misses, where the annotation says it is', { timeout: 600_000 }, async () => {
  const img = await decodeImage(join(VAL, FILE));
  assert.equal((await detectFaces(img, { ...models, fallback: null })).length, 0, 'the tiny detector alone misses this face');
  const faces = await detectFaces(img, models);
  assert.ok(faces.length >= 1, 'the SSD fallback finds it');
  const entry = (await readSplit(VAL, { decode: false })).entries.find((e) => e.file === FILE)!;
  const xs = Array.from({ length: 68 }, (_, i) => entry.landmarks[2 * i]);
  const ys = Array.from({ length: 68 }, (_, i) => entry.landmarks[2 * i + 1]);
  const truth = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
  const best = Math.max(...faces.map((f) => iou(f.box, truth)));
  assert.ok(best >= 0.3, `best IoU with the annotated face ${best.toFixed(2)} (the accuracy bench's criterion)`);
  assert.equal(faces[0].landmarks68.length, 68);
});
