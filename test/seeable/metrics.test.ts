import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { averagePrecision, equalErrorRate, rocAuc, rocCurve } from '../../src/seeable/metrics.ts';
import { Rng } from '../../src/tensor/random.ts';

function bruteAuc(real: number[], fake: number[]): number {
  let s = 0;
  for (const f of fake) for (const r of real) s += f > r ? 1 : f === r ? 0.5 : 0;
  return s / (real.length * fake.length);
}

describe('detection metrics', () => {
  it('AUC equals the pairwise probability, ties counted half', () => {
    const rng = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const real = Array.from({ length: 1 + rng.int(40) }, () => Math.round(rng.normal() * 4) / 4);
      const fake = Array.from({ length: 1 + rng.int(40) }, () => Math.round((rng.normal() + 0.7) * 4) / 4);
      assert.ok(Math.abs(rocAuc(real, fake) - bruteAuc(real, fake)) < 1e-12);
    }
    assert.equal(rocAuc([0, 1], [2, 3]), 1);
    assert.equal(rocAuc([2, 3], [0, 1]), 0);
    assert.equal(rocAuc([1, 1], [1, 1]), 0.5);
  });

  it('the ROC curve runs from (0,0) to (1,1) and its trapezoid area is the AUC', () => {
    const real = [0.1, 0.4, 0.35, 0.8];
    const fake = [0.9, 0.4, 0.6, 0.95, 0.2];
    const roc = rocCurve(real, fake);
    assert.deepEqual([roc[0].fpr, roc[0].tpr], [0, 0]);
    assert.deepEqual([roc.at(-1)!.fpr, roc.at(-1)!.tpr], [1, 1]);
    let area = 0;
    for (let i = 1; i < roc.length; i++) area += ((roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr)) / 2;
    assert.ok(Math.abs(area - rocAuc(real, fake)) < 1e-12);
  });

  it('average precision matches a hand computation (scikit-learn definition)', () => {
    // scores desc: 0.8 F, 0.4 R, 0.35 F, 0.1 R → recall steps 0.5 at P=1, 1.0 at P=2/3
    assert.ok(Math.abs(averagePrecision([0.4, 0.1], [0.8, 0.35]) - (0.5 * 1 + 0.5 * (2 / 3))) < 1e-12);
  });

  it('EER is where false positives meet misses', () => {
    assert.equal(equalErrorRate([0, 1, 2, 3], [4, 5, 6, 7]).eer, 0);
    const { eer } = equalErrorRate([0, 1, 2, 5], [3, 4, 6, 7]);
    assert.ok(Math.abs(eer - 0.25) < 1e-12, `eer ${eer}`);
  });

  it('refuses empty classes and non-finite scores', () => {
    assert.throws(() => rocAuc([], [1]), /both classes/);
    assert.throws(() => rocAuc([NaN], [1]), /not finite/);
  });
});
