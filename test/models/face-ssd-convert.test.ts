// The SSD MobileNet-V1 weights file: every TF.js float tensor of the package is in it (graph constants
// face-api never reads aside), under our name and layout, and the loader's dequantisation gives back
// tfjs-core's values bit for bit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dequantize, FACE_API_SSD, loadTfjsRaw, ssdName } from '../../tools/convert-face-api.ts';
import { readSsdWeights, ssdExpectedShapes } from '../../src/models/face/ssd-weights.ts';

const FILE = join(import.meta.dirname, '../../weights/ssd-mobilenet-v1.safetensors');

test('every TF.js value lands at its permuted index, dequantised exactly as tfjs-core', () => {
  const ours = readSsdWeights(new Uint8Array(readFileSync(FILE)));
  const tf = loadTfjsRaw(FACE_API_SSD.base);
  const used = tf.filter((t) => ssdName(t.name) !== null);
  assert.equal(ours.size, used.length);
  assert.equal(ours.size, ssdExpectedShapes().size);
  for (const t of tf) {
    const name = ssdName(t.name);
    if (name === null) {
      assert.ok(t.shape.length <= 1 && t.shape.reduce((a, b) => a * b, 1) <= 3, `${t.name} [${t.shape}] dropped: only scalars and short shape vectors may be`);
      continue;
    }
    const e = ours.get(name);
    assert.ok(e, `${t.name} → ${name} missing`);
    const v = dequantize(t);
    assert.ok(v.some((x) => x !== 0) && v.every(Number.isFinite), t.name);
    const s = t.shape;
    for (let k = 0; k < v.length; k += 5) {
      let want = k;
      if (s.length === 4) {
        const [y, x, i, o] = [Math.floor(k / (s[1] * s[2] * s[3])), Math.floor(k / (s[2] * s[3])) % s[1], Math.floor(k / s[3]) % s[2], k % s[3]];
        want = name.endsWith('depthwise.weight') ? (i * s[0] + y) * s[1] + x : ((o * s[2] + i) * s[0] + y) * s[1] + x;
      }
      assert.equal(e.data[want], v[k], `${t.name}[${k}]`);
    }
  }
});

test('names: every rule, and an unknown name is refused', () => {
  assert.equal(ssdName('MobilenetV1/Conv2d_0_pointwise/weights'), 'mobilenet.conv0.weight');
  assert.equal(ssdName('MobilenetV1/Conv2d_7_pointwise/convolution_bn_offset'), 'mobilenet.conv7.pointwise.bias');
  assert.equal(ssdName('MobilenetV1/Conv2d_13_depthwise/BatchNorm/moving_variance'), 'mobilenet.conv13.bn.running_var');
  assert.equal(ssdName('Prediction/Conv2d_3_pointwise/weights'), 'prediction.conv3.weight');
  assert.equal(ssdName('Prediction/BoxPredictor_5/ClassPredictor/biases'), 'prediction.box5.class.bias');
  assert.equal(ssdName('Output/extra_dim'), 'anchors');
  assert.equal(ssdName('Postprocessor/stack/1'), null);
  assert.throws(() => ssdName('MobilenetV1/Conv2d_1_depthwise/BatchNorm/unknown'), /no SSD name rule/);
});
