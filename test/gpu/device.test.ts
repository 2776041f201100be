import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { getGpu, summarize } from '../../src/gpu/device.ts';
import { defineKernel, grid1d } from '../../src/gpu/kernel.ts';
import { add, mul } from '../../src/ops/elementwise.ts';
import { tensor } from '../../src/tensor/create.ts';
import { setupGpu } from '../helpers/harness.ts';

before(setupGpu);

describe('gpu device', () => {
  it('describes the adapter and flags a software one', () => {
    const a = getGpu().adapter;
    assert.equal(typeof a.description, 'string');
    assert.equal(typeof a.isSoftware, 'boolean');
    if (/llvmpipe|swiftshader/i.test(`${a.description} ${a.device}`)) assert.equal(a.isSoftware, true);
  });

  it('marks SwiftShader (and only it) as a slow shader compiler', () => {
    const adapter = (vendor: string, architecture: string, description = '') =>
      summarize({ info: { vendor, architecture, device: '', description } as GPUAdapterInfo, features: new Set() as unknown as GPUSupportedFeatures });
    const swift = adapter('google', 'swiftshader');
    assert.equal(swift.slowShaderCompile, true);
    assert.equal(swift.isSoftware, true);
    assert.equal(adapter('mesa', 'llvm', 'llvmpipe (LLVM 15.0.6, 256 bits)').slowShaderCompile, false);
    assert.equal(adapter('nvidia', 'ada', 'NVIDIA H100').slowShaderCompile, false);
  });

  it('caches pipelines per kernel and specialisation', () => {
    const k = defineKernel({ file: 'fill', entry: 'fill', params: [['n', 'u32'], ['bits', 'u32']], reads: 0, writes: 1, workgroupSize: 256 });
    const gpu = getGpu();
    assert.equal(gpu.pipeline(k), gpu.pipeline(k));
    assert.equal(gpu.pipeline(k, { WG: 64 }), gpu.pipeline(k, { WG: 64 }));
    assert.notEqual(gpu.pipeline(k), gpu.pipeline(k, { WG: 64 }));
  });

  it('folds 1-D grids past 65,535 workgroups into y', () => {
    assert.deepEqual(grid1d(1000, 256), [4, 1, 1]);
    const [x, y] = grid1d(65536 * 256 + 1, 256);
    assert.ok(x <= 65535 && y >= 2 && x * y * 256 >= 65536 * 256 + 1);
  });

  it('keeps params of thousands of dispatches apart (the uniform ring flushes when full)', async () => {
    let t = tensor([0, 0, 0], [3]);
    for (let i = 1; i <= 5000; i++) {
      const next = add(t, i % 7);
      t.dispose();
      t = next;
    }
    let want = 0;
    for (let i = 1; i <= 5000; i++) want += i % 7;
    assert.deepEqual([...(await t.read())], [want, want, want]);
  });

  it('an upload into a recycled buffer cannot overtake pending work that read it', async () => {
    const a = tensor([1, 2, 3, 4], [4]);
    const b = mul(a, 10); // recorded, not yet submitted
    a.dispose(); // a's buffer returns to the pool…
    const c = tensor([7, 7, 7, 7], [4]); // …and is likely handed to c, whose upload must wait for b
    assert.deepEqual([...(await b.read())], [10, 20, 30, 40]);
    assert.deepEqual([...(await c.read())], [7, 7, 7, 7]);
  });

  it('a process that used the GPU exits on its own', () => {
    const code = `
      import { initGpu, tensor, add } from './src/node.ts';
      await initGpu({ log: null });
      const t = add(tensor([1, 2], [2]), 1);
      console.log([...(await t.read())].join(','));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '2,3');
  });
});
