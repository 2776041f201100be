import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { getGpu } from '../../src/gpu/device.ts';
import { nodePlatform } from '../../src/gpu/node.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { setupGpu } from '../helpers/harness.ts';

before(setupGpu);

/** CPU time of Node's main thread so far (ns), from Linux's per-thread scheduler statistics. */
const mainThreadNs = () => Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);

describe('waiting on WebGPU promises in Node (platform.settle)', () => {
  it('passes values and rejections through', async () => {
    assert.equal(await nodePlatform.settle(Promise.resolve(42)), 42);
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 20));
    assert.equal(await nodePlatform.settle(late), 'late');
    await assert.rejects(nodePlatform.settle(Promise.reject(new Error('mapAsync failed'))), /mapAsync failed/);
  });

  it('does not spin the main thread while the GPU works (Dawn polls from setImmediate)', async () => {
    const gpu = getGpu();
    const rng = new Rng(3);
    const n = 192;
    const a = tensor(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n]);
    const b = tensor(Float32Array.from({ length: n * n }, () => rng.normal()), [n, n]);
    await gpu.sync();
    // Enough work to take well over the 1 ms plain-spin allowance on any adapter this suite runs on.
    let reps = 8, wallMs = 0, cpuMs = 0;
    for (; reps <= 512; reps *= 2) {
      const outs = Array.from({ length: reps }, () => matmul(a, b));
      const c0 = mainThreadNs(), t0 = performance.now();
      await gpu.sync();
      wallMs = performance.now() - t0;
      cpuMs = (mainThreadNs() - c0) / 1e6;
      outs.forEach((t) => t.dispose());
      if (wallMs > 150) break;
    }
    a.dispose();
    b.dispose();
    assert.ok(wallMs > 150, `the GPU work took only ${wallMs.toFixed(1)} ms with ${reps} matmuls`);
    // A plain await keeps the main thread ~100 % busy for the whole wait; the calm wait a few %.
    assert.ok(cpuMs < 0.3 * wallMs, `the main thread used ${cpuMs.toFixed(1)} ms of CPU during a ${wallMs.toFixed(1)} ms wait`);
  });
});
