// The golden test: EfficientNet-B0 on our kernels against PyTorch (float64, Debian's torch):
// weights loaded through the torchvision / efficientnet_pytorch name maps, then the pooled
// features, every stage's output, the loss sum(features·r), every parameter gradient and (train
// mode) the updated BN running statistics, in train- and eval-mode BN, with symmetric padding and
// with TensorFlow SAME padding on an odd input size (asymmetric pads at every stride-2 conv).
// Tolerances (max |ours − ref| relative to each reference tensor's max |value|): forward 1e-4,
// gradients 5e-4 (f32 through 16 train-mode BN backwards), running statistics 1e-4. BN biases
// whose true gradient is structurally zero are measured against their γ gradient's scale.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { assertClose, setupGpu } from '../helpers/harness.ts';
import { runReference, torchMissing } from './fixture.ts';
import { EfficientNet, detectVariant, loadEfficientNetState, nameTable, type WeightSource } from '../../src/models/index.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { tensor } from '../../src/tensor/create.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';

const TOL_FORWARD = { rel: 1e-4, abs: 0 };
const TOL_GRAD = { rel: 5e-4, abs: 0 };
const TOL_STATS = { rel: 1e-4, abs: 0 };

interface Case {
  name: string;
  args: string[];
  from: WeightSource;
  padding: 'symmetric' | 'same';
  train: boolean;
}

const CASES: Case[] = [
  { name: 'torchvision B0, train-mode BN, 2×3×64×64', args: ['--mode', 'train', '--size', '64', '--seed', '1'], from: 'torchvision', padding: 'symmetric', train: true },
  { name: 'torchvision B0, eval-mode BN, 2×3×64×64', args: ['--mode', 'eval', '--size', '64', '--seed', '2'], from: 'torchvision', padding: 'symmetric', train: false },
  { name: 'TF-SAME B0 (efficientnet_pytorch names), train-mode BN, 2×3×61×61', args: ['--mode', 'train', '--size', '61', '--padding', 'same', '--seed', '3'], from: 'efficientnet_pytorch', padding: 'same', train: true },
  { name: 'TF-SAME B0 (efficientnet_pytorch names), eval-mode BN, 2×3×61×61', args: ['--mode', 'eval', '--size', '61', '--padding', 'same', '--seed', '4'], from: 'efficientnet_pytorch', padding: 'same', train: false },
];

/** max |a − b| / max |b|, for the diagnostic line. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 0): number {
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e / (Math.max(maxAbs(b), floor) || 1);
}

function maxAbs(b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s = Math.max(s, Math.abs(b[i]));
  return s;
}

const skip = torchMissing();

describe('EfficientNet-B0 vs PyTorch', { skip }, () => {
  before(setupGpu);

  for (const c of CASES) {
    it(c.name, async (t) => {
      const t0 = performance.now();
      const fx = runReference('efficientnet_parity.py', c.args);
      const weights = fx.group('weight');
      const detected = detectVariant(weights, c.from);
      assert.deepEqual(detected, { variant: 'b0', numClasses: 1000 }, 'the converter recognises a B0 with a 1000-class head');

      const model = new EfficientNet('b0', { numClasses: 1000, padding: c.padding, dropConnect: 0, bnEps: 1e-3, bnMomentum: 0.1, seed: 7 });
      loadEfficientNetState(model, weights, c.from);
      model.train(c.train);
      const ours = nameTable(c.from, model.config);
      const tRef = performance.now();

      const input = fx.get('input');
      const x = tensor(input.data, input.shape);
      const { features, stages } = model.forwardStages(x);
      const r = fx.get('r');
      const rT = tensor(r.data, r.shape);
      const loss = sum(mul(features, rT));
      const worst = { forward: 0, grad: 0, stats: 0 };

      for (let s = 0; s < 7; s++) {
        const ref = fx.get(`stage.${s}`);
        assert.deepEqual([...stages[s].shape], ref.shape, `stage ${s} shape`);
        const got = await stages[s].readF32();
        worst.forward = Math.max(worst.forward, relErr(got, ref.data));
        assertClose(got, ref.data, TOL_FORWARD, `stage ${s}`);
      }
      const feat = await features.readF32();
      worst.forward = Math.max(worst.forward, relErr(feat, fx.get('features').data));
      assertClose(feat, fx.get('features').data, TOL_FORWARD, 'pooled features');
      assertClose([await loss.item()], fx.get('loss').data, TOL_FORWARD, 'loss');

      loss.backward();
      const grads = fx.group('grad');
      let checked = 0;
      for (const [name, p] of model.namedParameters()) {
        if (name.startsWith('classifier.')) continue;
        const ref = grads.get(ours.get(name)!);
        assert.ok(ref, `the reference has a gradient for ${name} (${ours.get(name)})`);
        assert.ok(p.grad, `${name} received a gradient`);
        const got = await (p.grad as Tensor).readF32();
        // A BN bias that feeds (linearly) into a train-mode BN has an exactly zero gradient
        // (the next BN removes any shift); measure it against its γ gradient's scale instead.
        const sibling = name.endsWith('.bias') ? grads.get(ours.get(name.replace(/bias$/, 'weight'))!) : undefined;
        const floor = sibling ? maxAbs(sibling.data) : 0;
        worst.grad = Math.max(worst.grad, relErr(got, ref.data, floor));
        assertClose(got, ref.data, { rel: TOL_GRAD.rel, abs: TOL_GRAD.rel * floor }, `grad ${name}`);
        checked++;
      }
      assert.equal(checked, grads.size, 'every reference gradient was compared');

      if (c.train) {
        const after = fx.group('after');
        for (const [name, b] of model.namedBuffers()) {
          const ref = after.get(ours.get(name)!);
          assert.ok(ref, `updated running statistic ${name}`);
          const got = await b.readF32();
          worst.stats = Math.max(worst.stats, relErr(got, ref.data));
          assertClose(got, ref.data, TOL_STATS, `running ${name}`);
        }
      }
      t.diagnostic(
        `worst relative errors: forward ${worst.forward.toExponential(2)}, gradients ${worst.grad.toExponential(2)}` +
          `${c.train ? `, running stats ${worst.stats.toExponential(2)}` : ''}; ${checked} gradients; ` +
          `reference ${((tRef - t0) / 1000).toFixed(1)} s, ours ${((performance.now() - tRef) / 1000).toFixed(1)} s`,
      );
      for (const s of [x, rT, loss, features, ...stages]) s.dispose();
      model.dispose();
    });
  }
});
