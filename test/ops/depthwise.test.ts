import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { depthwiseConv2d } from '../../src/ops/depthwise.ts';
import { refConv2d, type RefConvOptions } from '../helpers/conv-ref.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import { tensor } from '../../src/tensor/create.ts';

before(setupGpu);

// EfficientNet's depthwise convs are 3×3 and 5×5 at stride 1 and 2 with SAME padding (timm's
// PyTorch ports use symmetric padding instead): both conventions, odd channel counts, odd sizes
// that leave partial 4-pixel blocks, SAME at stride 2 on odd and even inputs, dilation 2.
const cases: [string, number[], number, boolean, RefConvOptions][] = [
  ['3×3 stride 1 SAME, bias, C 7', [2, 7, 9, 11], 3, true, { padding: 'same' }],
  ['3×3 stride 2 SAME, odd input (symmetric pad)', [1, 5, 9, 7], 3, false, { stride: 2, padding: 'same' }],
  ['3×3 stride 2 SAME, even input (extra pixel bottom/right)', [1, 7, 10, 8], 3, true, { stride: 2, padding: 'same' }],
  ['3×3 stride 2 pad 1 (PyTorch), C 24', [2, 24, 8, 13], 3, true, { stride: 2, padding: 1 }],
  ['5×5 stride 1 SAME, C 40', [1, 40, 6, 5], 5, true, { padding: 'same' }],
  ['5×5 stride 2 SAME, even input', [1, 3, 10, 12], 5, false, { stride: 2, padding: 'same' }],
  ['5×5 stride 2 SAME, odd input, C 112', [1, 112, 7, 9], 5, true, { stride: 2, padding: 'same' }],
  ['3×3 dilation 2 pad 2', [1, 6, 9, 10], 3, false, { dilation: 2, padding: 2 }],
  ['3×3 dilation 2 SAME stride 2', [2, 3, 11, 7], 3, true, { dilation: 2, stride: 2, padding: 'same' }],
  ['3×3 no padding', [1, 4, 6, 9], 3, false, {}],
  ['5×5 on a 2×3 input with SAME', [1, 5, 2, 3], 5, true, { padding: 'same' }],
];

describe('depthwiseConv2d vs float64', () => {
  for (const [name, xs, k, bias, o] of cases) {
    it(name, async () => {
      const C = xs[1];
      await checkOp(`depthwise ${name}`, {
        inputs: [{ shape: xs }, { shape: [C, 1, k, k] }, ...(bias ? [{ shape: [C] }] : [])],
        run: (x, w, b) => depthwiseConv2d(x, w, { ...o, bias: b }),
        ref: (x, w, b) => refConv2d(x, w, b ?? null, { ...o, groups: C }),
        tol: { rel: 2e-6 * k },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 60,
      });
    });
  }
  it('rejects a weight that is not [C, 1, kh, kw]', () => {
    const x = tensor(new Float32Array(2 * 3 * 3).fill(1), [1, 2, 3, 3]);
    const w = tensor(new Float32Array(3 * 9).fill(1), [3, 1, 3, 3]);
    assert.throws(() => depthwiseConv2d(x, w), /w \[C, 1, kh, kw\]/);
    x.dispose();
    w.dispose();
  });
});
