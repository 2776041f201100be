import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { convGeometry } from '../../src/ops/conv-geometry.ts';
import { packWeights } from '../../src/ops/conv2d-raw.ts';
import { igemmVec4Raw, usedCopies, vec4ChunkSamples } from '../../src/ops/conv2d-vec4.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d, type RefConvOptions } from '../helpers/conv-ref.ts';
import { assertClose, draw, setupGpu } from '../helpers/harness.ts';
import { nd } from '../helpers/nd.ts';

before(setupGpu);

// The vec4 implicit GEMM runs batches whose shifted copies exceed one storage binding in chunks of
// samples (each chunk's copies built from its own planes, its outputs written at its sample offset).
// Chunk sizes forced here on small odd shapes: 1, 2 (a partial last chunk), N − 1, N.
const size = (s: number[]) => s.reduce((a, b) => a * b);
const cases: [string, number[], number[], RefConvOptions][] = [
  ['3×3 SAME stride 1, groups 1, bias', [5, 3, 7, 9], [6, 3, 3, 3], { padding: 'same' }],
  ['3×3 stride 2 SAME, odd input', [3, 4, 9, 11], [5, 4, 3, 3], { stride: 2, padding: 'same' }],
  ['groups 2, 3×2 window, dilation [1, 2]', [4, 6, 8, 7], [10, 3, 3, 2], { groups: 2, padding: [1, 2], dilation: [1, 2] }],
  ['5×5 dilation 3 (copies 0, 3, 2, 1), pad 6, W 13, Co 11', [2, 3, 9, 13], [11, 3, 5, 5], { padding: 6, dilation: 3 }],
  ['7×1 window, stride [2, 1], Co 9', [3, 2, 11, 6], [9, 2, 7, 1], { stride: [2, 1], padding: [3, 0] }],
];

describe('conv2d vec4 kernel in batch chunks vs float64', () => {
  for (const [name, xs, ws, o] of cases) {
    it(name, async () => {
      const rng = new Rng(21);
      const xh = draw(rng, size(xs)), wh = draw(rng, size(ws)), bh = draw(rng, ws[0]);
      const bias = name.includes('bias');
      const expected = refConv2d(nd(xh, xs), nd(wh, ws), bias ? nd(bh, [ws[0]]) : null, o).data;
      const x = tensor(xh, xs), w = tensor(wh, ws), b = tensor(bh, [ws[0]]);
      const g = convGeometry(xs, ws, o);
      const wp = packWeights(w, g, false, false, true);
      const N = xs[0];
      for (const chunk of [...new Set([1, 2, N - 1, N])]) {
        const y = igemmVec4Raw(x, wp, bias ? b : null, g, chunk);
        assertClose(await y.read(), expected, { rel: 2e-6 * Math.sqrt(ws[1] * ws[2] * ws[3]) }, `${name}, chunks of ${chunk}`);
        y.dispose();
      }
      for (const t of [x, w, b, wp]) t.dispose();
    });
  }
  it('writes only the shifted copies a tap reads (the others stay NaN-poisoned: the cases above read none)', () => {
    const copies = (ws: number[], o: RefConvOptions) => usedCopies(convGeometry([1, ws[1], 12, 12], ws, o));
    assert.deepEqual(copies([4, 2, 3, 3], { padding: 'same' }), [0, 1, 2]);
    assert.deepEqual(copies([4, 2, 3, 3], { stride: 2, padding: 'same' }), [0, 1, 4]);
    assert.deepEqual(copies([4, 2, 5, 5], { padding: 'same' }), [0, 1, 2, 3]);
    assert.deepEqual(copies([4, 2, 3, 3], { dilation: 2, padding: 2 }), [0, 2]);
    assert.deepEqual(copies([4, 2, 3, 3], { dilation: 2, stride: 2, padding: 2 }), [0, 1, 2]);
  });
  it('chunk size follows the binding limit', () => {
    const g = convGeometry([32, 32, 112, 112], [64, 32, 3, 3], { padding: 'same' });
    // One sample: 4 copies × 32 channels × 114 padded rows × 112 columns (the 2-pixel tap overhang
    // stays within the vec4 at hand) × 4 bytes ≈ 6.5 MB, so 20 samples fit 128 MiB.
    const perSample = 4 * 32 * 114 * 112 * 4;
    assert.equal(vec4ChunkSamples(g, 128 * 2 ** 20), Math.floor((128 * 2 ** 20) / perSample));
    assert.equal(vec4ChunkSamples(g, 10 * perSample - 1), 9);
    assert.equal(vec4ChunkSamples(g, 1e12), 32);
    assert.equal(vec4ChunkSamples(g, perSample - 1), 0);
  });
});
