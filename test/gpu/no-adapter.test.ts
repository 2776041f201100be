// Without an adapter, initGpu says what to install. (Own file: it swaps the platform.)
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { initGpu } from '../../src/gpu/device.ts';
import { nodePlatform } from '../../src/gpu/node.ts';
import { setPlatform } from '../../src/gpu/platform.ts';

it('no WebGPU at all, or no adapter, names the fix', async () => {
  setPlatform({ ...nodePlatform, gpu: () => null });
  await assert.rejects(initGpu({ log: null }), /WebGPU is not available.*scripts\/setup\.sh/s);
  const fakeGpu = { requestAdapter: async () => null } as unknown as GPU;
  setPlatform({ ...nodePlatform, gpu: () => fakeGpu });
  await assert.rejects(initGpu({ log: null }), /No WebGPU adapter.*mesa-vulkan-drivers/s);
});
