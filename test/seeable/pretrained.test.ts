// The `pretrained` setting's EfficientNet path: converted weights (any naming, with an ImageNet
// classifier) load into a SeeABLE encoder exactly; weights of another variant are refused with the file named.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { readEfficientNetState } from '../../src/models/efficientnet/load.ts';
import { EfficientNet } from '../../src/models/efficientnet/model.ts';
import { serializeSafetensors } from '../../src/io/safetensors.ts';
import { loadPretrainedEncoder } from '../../src/seeable/pretrained.ts';
import { Rng } from '../../src/tensor/random.ts';
import { setupGpu } from '../helpers/harness.ts';

before(async () => ((await setupGpu()).poison = false));

it('EfficientNet-B0 weights in torchvision names with a classifier load exactly; B1 weights are refused', { timeout: 300_000 }, async () => {
  const source = new EfficientNet('b0', { rng: new Rng(1) });
  const state = await readEfficientNetState(source, 'torchvision');
  state.set('classifier.1.weight', { shape: [10, 1280], data: new Float32Array(12800).fill(0.5) });
  state.set('classifier.1.bias', { shape: [10], data: new Float32Array(10).fill(0.5) });
  const bytes = serializeSafetensors(state, { naming: 'torchvision' });

  const target = new EfficientNet('b0', { rng: new Rng(2) });
  assert.match(loadPretrainedEncoder(target, bytes, 'b0.safetensors'), /b0\.safetensors: EfficientNet-B0 weights \(torchvision names, 2 classifier tensors ignored\)/);
  for (const [name, t] of source.stateDict()) {
    if (t.dtype !== 'f32') continue;
    assert.deepEqual(await target.stateDict().get(name)!.readF32(), await t.readF32(), name);
  }
  const b1 = new EfficientNet('b1', { rng: new Rng(3) });
  assert.throws(() => loadPretrainedEncoder(b1, bytes, 'b0.safetensors'), /b0\.safetensors: the weights do not fit EfficientNet-B1/);
});
