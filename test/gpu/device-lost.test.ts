// Device loss must surface as a clear error, never a hang. (Own file: it destroys the device.)
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { getGpu } from '../../src/gpu/device.ts';
import { add } from '../../src/ops/elementwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { setupGpu } from '../helpers/harness.ts';

before(setupGpu);

it('a lost device gives a clear error on the next use', async () => {
  const t = tensor([1, 2, 3], [3]);
  getGpu().device.destroy();
  await getGpu().device.lost;
  assert.throws(() => add(t, 1), /device was lost/);
  await assert.rejects(t.read(), /device was lost/);
});
