import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { binaryCrossEntropyWithLogits, crossEntropy } from '../../src/ops/losses.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { checkOp, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

function refCrossEntropy(z: Nd, labels: Nd, eps: number, mean: boolean): Nd {
  const [N, K] = z.shape;
  let total = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    const y = labels.data[n];
    if (y < 0) continue;
    const row = z.data.subarray(n * K, (n + 1) * K);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    let dot = 0;
    for (let k = 0; k < K; k++) dot += ((k === y ? 1 - eps : 0) + eps / K) * row[k];
    total += lse - dot;
    count++;
  }
  return { data: Float64Array.of(mean ? total / count : total), shape: [] };
}

function refBce(x: Nd, t: Nd, mean: boolean): Nd {
  let s = 0;
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    s += Math.max(v, 0) - v * t.data[i] + Math.log1p(Math.exp(-Math.abs(v)));
  }
  return { data: Float64Array.of(mean ? s / x.data.length : s), shape: [] };
}

function labelsFor(n: number, k: number, seed: number, ignoreEvery = 0): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) => (ignoreEvery && i % ignoreEvery === 2 ? -100 : rng.int(k)));
}

describe('cross-entropy vs float64', () => {
  const cases: [number, number, number, 'mean' | 'sum', number][] = [
    [13, 7, 0, 'mean', 0],
    [300, 3, 0.1, 'mean', 0], // more rows than the 256 lanes
    [5, 1000, 0, 'sum', 0],
    [37, 10, 0.2, 'mean', 5], // every 5th row ignored (label −100)
  ];
  for (const [N, K, eps, reduction, ignoreEvery] of cases) {
    it(`[${N}, ${K}] smoothing ${eps} ${reduction}${ignoreEvery ? ', ignored rows' : ''}`, async () => {
      await checkOp(`ce-${N}-${K}-${eps}-${reduction}-${ignoreEvery}`, {
        inputs: [{ shape: [N, K] }, { shape: [N], dtype: 'i32', noGrad: true, values: labelsFor(N, K, N + K, ignoreEvery) }],
        run: (z, y) => crossEntropy(z, y, { labelSmoothing: eps, reduction }),
        ref: (z, y) => refCrossEntropy(z, y, eps, reduction === 'mean'),
        tol: { rel: 2e-6 },
        maxGradChecks: 200,
      });
    });
  }
  it('stays finite for logits of ±80 and ±1e4', async () => {
    for (const scale of [80, 1e4]) {
      const rng = new Rng(scale);
      const values = Array.from({ length: 6 * 5 }, () => Math.fround(scale * rng.uniform(-1, 1)));
      await checkOp(`ce-large-${scale}`, {
        inputs: [{ shape: [6, 5], values }, { shape: [6], dtype: 'i32', noGrad: true, values: labelsFor(6, 5, 1) }],
        run: (z, y) => crossEntropy(z, y),
        ref: (z, y) => refCrossEntropy(z, y, 0, true),
        tol: { rel: 1e-6 },
        gradTol: { rel: 1e-3, abs: 1e-6 },
      });
    }
  });
  it('a label past K gives NaN, not an out-of-bounds read', async () => {
    const loss = crossEntropy(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([0, 3], [2], 'i32'));
    assert.ok(Number.isNaN(await loss.item()));
  });
});

describe('binary cross-entropy with logits vs float64', () => {
  for (const [shape, reduction] of [[[7, 13], 'mean'], [[1000], 'sum'], [[3, 5, 2], 'mean'], [[3, 1501], 'mean']] as const) { // the last: several partial workgroups
    it(`[${shape}] ${reduction} (gradients to logits and targets)`, async () => {
      const n = shape.reduce((a: number, b: number) => a * b, 1);
      const rng = new Rng(n);
      const targets = Array.from({ length: n }, () => Math.fround(rng.uniform()));
      await checkOp(`bce-${shape}-${reduction}`, {
        inputs: [{ shape: [...shape] }, { shape: [...shape], values: targets }],
        run: (x, t) => binaryCrossEntropyWithLogits(x, t, { reduction }),
        ref: (x, t) => refBce(x, t, reduction === 'mean'),
        tol: { rel: 2e-6 },
        maxGradChecks: 300,
      });
    });
  }
  it('is stable for logits of ±40 and ±200 (no overflow, log1p accuracy)', async () => {
    const rng = new Rng(3);
    const values = Array.from({ length: 40 }, (_, i) => Math.fround((i % 2 ? 200 : 40) * rng.uniform(-1, 1)));
    const targets = Array.from({ length: 40 }, (_, i) => i % 3 === 0 ? 1 : 0);
    await checkOp('bce-large', {
      inputs: [{ shape: [40], values }, { shape: [40], values: targets, noGrad: true }],
      run: (x, t) => binaryCrossEntropyWithLogits(x, t),
      ref: (x, t) => refBce(x, t, true),
      tol: { rel: 1e-6 },
    });
  });
});
