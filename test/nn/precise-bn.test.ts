// Batch-norm recalibration: the running statistics become the float64 average of the batches'
// statistics (mean, unbiased variance); modes and momenta are restored; only BN layers train.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { BatchNorm } from '../../src/models/efficientnet/layers.ts';
import { Module } from '../../src/nn/module.ts';
import { recalibrateBatchNorm, runningStatsLayers } from '../../src/nn/precise-bn.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { setupGpu } from '../helpers/harness.ts';

before(setupGpu);

/** BN followed by a layer that records the mode it ran in (stands for drop-connect). */
class Net extends Module {
  readonly bn: BatchNorm;
  readonly probe: Probe;
  constructor(c: number) {
    super();
    this.bn = this.registerModule('bn', new BatchNorm(c, 1e-3, 0.1));
    this.probe = this.registerModule('probe', new Probe());
  }
  forward(x: Tensor): Tensor {
    return this.probe.forward(this.bn.forward(x));
  }
}
class Probe extends Module {
  modes: boolean[] = [];
  forward(x: Tensor): Tensor {
    this.modes.push(this.training);
    return x;
  }
}

describe('recalibrateBatchNorm', () => {
  it('sets running mean/var to the average of the batch statistics, restoring modes and momentum', async () => {
    const [N, C, H, W] = [3, 5, 3, 7];
    const rng = new Rng(11);
    const batches = Array.from({ length: 4 }, (_, b) => Float32Array.from({ length: N * C * H * W }, () => rng.normal() * (1 + b) + 0.5 * b));
    const net = new Net(C);
    net.train();
    const got = await recalibrateBatchNorm(net, { batches: batches.length, input: async (i) => tensor(batches[i], [N, C, H, W]), forward: (x) => net.forward(x) });
    assert.equal(got, 1);
    assert.equal(runningStatsLayers(net).length, 1);
    const mean = await net.bn.runningMean.readF32();
    const variance = await net.bn.runningVar.readF32();
    const m = N * H * W;
    for (let c = 0; c < C; c++) {
      let wantMean = 0;
      let wantVar = 0;
      for (const data of batches) {
        const v: number[] = [];
        for (let n = 0; n < N; n++) for (let p = 0; p < H * W; p++) v.push(data[(n * C + c) * H * W + p]);
        const mu = v.reduce((s, t) => s + t, 0) / m;
        wantMean += mu / batches.length;
        wantVar += v.reduce((s, t) => s + (t - mu) ** 2, 0) / (m - 1) / batches.length;
      }
      assert.ok(Math.abs(mean[c] - wantMean) < 1e-4 * (1 + Math.abs(wantMean)), `mean[${c}] ${mean[c]} vs ${wantMean}`);
      assert.ok(Math.abs(variance[c] - wantVar) < 1e-4 * wantVar, `var[${c}] ${variance[c]} vs ${wantVar}`);
    }
    assert.deepEqual(net.probe.modes, [false, false, false, false], 'non-BN layers run in eval mode');
    assert.equal(net.bn.momentum, 0.1);
    assert.equal(net.training, true);
    assert.equal(net.bn.training, true);
  });
  it('rejects a non-positive batch count', async () => {
    await assert.rejects(recalibrateBatchNorm(new Net(2), { batches: 0, input: async () => tensor([1], [1]), forward: (x) => x }), /positive integer/);
  });
});
