// MobileNet-V1 encoder (src/models/mobilenet): forward vs a float64 reference with face-api's SSD
// backbone weights loaded (odd input sizes, TF SAME padding, stride 2), the tape's gradient vs a
// central difference along a random direction of all parameters, and the pretrained loader's errors.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { MOBILENET_V1_CHANNELS, MOBILENET_V1_STRIDE2, MobileNetV1Encoder } from '../../src/models/mobilenet/mobilenet-v1.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { loadPretrainedEncoder } from '../../src/seeable/pretrained.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d } from '../helpers/conv-ref.ts';
import { assertClose, getGpu, setupGpu } from '../helpers/harness.ts';
import { nd, type Nd } from '../helpers/nd.ts';

const weights = resolve(import.meta.dirname, '..', '..', 'weights', 'ssd-mobilenet-v1.safetensors');
before(setupGpu);

async function hostState(m: MobileNetV1Encoder): Promise<Map<string, Nd>> {
  const out = new Map<string, Nd>();
  for (const [name, t] of m.stateDict()) out.set(name, nd(await t.readF32(), t.shape));
  return out;
}

function refForward(x: Nd, w: Map<string, Nd>): Float64Array {
  const relu6 = (a: Nd) => ({ ...a, data: a.data.map((v) => Math.min(Math.max(v, 0), 6)) });
  let h = relu6(refConv2d({ ...x, data: x.data.map((v) => 2 * v - 1) }, w.get('conv0.weight')!, w.get('conv0.bias')!, { stride: 2, padding: 'same' }));
  for (let i = 1; i < MOBILENET_V1_CHANNELS.length; i++) {
    const stride = MOBILENET_V1_STRIDE2.has(i) ? 2 : 1;
    h = relu6(refConv2d(h, w.get(`conv${i}.depthwise.weight`)!, w.get(`conv${i}.depthwise.bias`)!, { stride, padding: 'same', groups: h.shape[1] }));
    h = relu6(refConv2d(h, w.get(`conv${i}.pointwise.weight`)!, w.get(`conv${i}.pointwise.bias`)!, { padding: 'same' }));
  }
  const [N, C, H, W] = h.shape;
  return Float64Array.from({ length: N * C }, (_, j) => {
    let s = 0;
    for (let p = 0; p < H * W; p++) s += h.data[j * H * W + p];
    return s / (H * W);
  });
}

describe('MobileNet-V1 encoder', () => {
  it('with the SSD backbone loaded, matches float64 on a 2×3×21×19 input (rel 1e-4)', async () => {
    const m = new MobileNetV1Encoder({ rng: new Rng(1) });
    const what = loadPretrainedEncoder(m, readFileSync(weights), weights);
    assert.match(what, /54 tensors, BN folded/);
    const rng = new Rng(2);
    const xs = Float64Array.from({ length: 2 * 3 * 21 * 19 }, () => rng.uniform());
    const y = m.forward(tensor(Float32Array.from(xs), [2, 3, 21, 19]));
    assert.deepEqual(y.shape, [2, 1024]);
    const ref = refForward(nd(xs, [2, 3, 21, 19]), await hostState(m));
    assert.ok(ref.some((v) => v > 0.01), 'the reference features are not all zero');
    assertClose(await y.readF32(), ref, { rel: 1e-4, abs: 1e-6 }, 'pooled features');
  });

  // The composite's wiring: every op's own gradient is checked element by element in test/ops. Here
  // the pretrained net has many relu6 units at their kinks, which makes finite differences noisy in
  // f32 (±3 % at any ε), hence one direction through all parameters and a 6 % tolerance.
  it('gradient of ⟨features, r⟩ along a random direction of every parameter = central difference (6 %)', async () => {
    const m = new MobileNetV1Encoder({ rng: new Rng(3) });
    loadPretrainedEncoder(m, readFileSync(weights), weights);
    const rng = new Rng(4);
    const x = tensor(Float32Array.from({ length: 2 * 3 * 17 * 17 }, () => rng.uniform()), [2, 3, 17, 17]);
    const r = tensor(Float32Array.from({ length: 2 * 1024 }, () => rng.normal()), [2, 1024]);
    const objective = () => sum(mul(m.forward(x), r));
    const loss = objective();
    loss.backward();
    const params = m.namedParameters();
    const base = new Map<string, Float32Array>();
    let along = 0;
    const dirs = new Map<string, Float32Array>();
    for (const [name, p] of params) {
      const v = await p.readF32();
      const g = await p.grad!.readF32();
      const d = Float32Array.from(v, (w) => rng.normal() * (Math.abs(w) + 1e-3)); // scaled to each weight
      base.set(name, v);
      dirs.set(name, d);
      for (let i = 0; i < v.length; i++) along += g[i] * d[i];
    }
    const eps = 3e-4;
    const at = async (s: number) => {
      for (const [name, p] of params) getGpu().write(p.buffer, base.get(name)!.map((w, i) => w + s * eps * dirs.get(name)![i]));
      return objective().item();
    };
    const numeric = ((await at(1)) - (await at(-1))) / (2 * eps);
    assert.ok(Number.isFinite(along) && Math.abs(along) > 1e-3, `directional derivative ${along}`);
    assert.ok(Math.abs(numeric - along) <= 0.06 * Math.abs(along), `tape ${along} vs central difference ${numeric}`);
  });

  it('the pretrained loader names the file it cannot use', () => {
    const m = new MobileNetV1Encoder();
    assert.throws(() => loadPretrainedEncoder(m, new Uint8Array(16), 'bad.safetensors'), /bad\.safetensors: not face-api's SSD MobileNet-V1 weights/);
  });
});
