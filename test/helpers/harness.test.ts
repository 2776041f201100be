// The harness must be able to fail: unwritten (poisoned) elements, NaN, out-of-tolerance values and
// wrong gradients are each caught.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { getGpu } from '../../src/gpu/device.ts';
import { defineKernel } from '../../src/gpu/kernel.ts';
import { binaryRaw } from '../../src/ops/elementwise.ts';
import { record } from '../../src/tensor/tape.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { assertClose, checkOp, setupGpu } from './harness.ts';
import { map1 } from './nd.ts';

before(setupGpu);

const fill = defineKernel({ file: 'fill', entry: 'fill', params: [['n', 'u32'], ['bits', 'u32']], reads: 0, writes: 1, workgroupSize: 256 });

describe('test harness', () => {
  it('poisons new tensors so that unwritten elements read as NaN', async () => {
    const t = Tensor.empty([10]);
    getGpu().dispatch(fill, [t.buffer], { n: 5, bits: 0x3f800000 }, 5); // writes only the first half
    const v = await t.read();
    assert.deepEqual([...v.slice(0, 5)], [1, 1, 1, 1, 1]);
    assert.ok(v.slice(5).every(Number.isNaN));
    assert.throws(() => assertClose(v, new Array(10).fill(1), { rel: 1 }, 'half-written'), /NaN/);
    t.dispose();
  });

  it('rejects NaN, Infinity and errors beyond tolerance; accepts errors within it', () => {
    assert.throws(() => assertClose([NaN], [NaN], { rel: 1 }, 'nan'), /NaN/);
    assert.throws(() => assertClose([Infinity], [Infinity], { rel: 1 }, 'inf'), /Infinity/);
    assert.throws(() => assertClose([1, 2.01], [1, 2], { rel: 1e-3 }, 'far'), /exceeds/);
    assertClose([1, 2.0001], [1, 2], { rel: 1e-4 }, 'near');
  });

  it('catches a wrong forward', async () => {
    await assert.rejects(
      checkOp('wrong-forward', { inputs: [{ shape: [5, 3] }], run: (a) => binaryRaw('mul', a, 2.001), ref: (a) => map1(a, (x) => 2 * x), noGrad: true }),
      /forward/,
    );
  });

  it('catches a wrong backward', async () => {
    // y = 2x whose backward claims dy/dx = 3
    const twice = (x: Tensor) => {
      const y = binaryRaw('mul', x, 2);
      record('twice', y, [x], [], (g) => [binaryRaw('mul', g, 3)]);
      return y;
    };
    await assert.rejects(
      checkOp('wrong-backward', { inputs: [{ shape: [7] }], run: twice, ref: (a) => map1(a, (x) => 2 * x) }),
      /grad of input 0/,
    );
  });
});
