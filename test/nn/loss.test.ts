// softmaxCrossEntropy (soft targets) vs float64, with the gradient w.r.t. the logits; accuracy.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { accuracy, softmaxCrossEntropy } from '../../src/nn/loss.ts';
import { Rng } from '../../src/tensor/random.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

function refSoftCe(x: Nd, t: Nd): Nd {
  const [B, C] = x.shape;
  let total = 0;
  for (let b = 0; b < B; b++) {
    const row = x.data.subarray(b * C, b * C + C);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    for (let c = 0; c < C; c++) total -= t.data[b * C + c] * (row[c] - lse);
  }
  return { data: Float64Array.of(total / B), shape: [] };
}

describe('losses', () => {
  it('softmaxCrossEntropy with soft targets vs float64', async () => {
    const [B, C] = [13, 7];
    const rng = new Rng(21);
    const t = new Float64Array(B * C);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += t[b * C + c] = rng.uniform(0.05, 1);
      for (let c = 0; c < C; c++) t[b * C + c] = Math.fround(t[b * C + c] / s);
    }
    await checkOp('soft-ce', {
      inputs: [{ shape: [B, C] }, { shape: [B, C], values: t, noGrad: true }],
      run: (x, tt) => softmaxCrossEntropy(x, tt),
      ref: refSoftCe,
      tol: { rel: 1e-5 },
      gradTol: { rel: 2e-3, abs: 1e-6 },
    });
  });

  it('accuracy takes the argmax of each row', () => {
    assert.equal(accuracy([0.1, 0.9, 2, -1, 0, 0.5], [1, 0, 0], 2), 2 / 3);
  });
});
