// SAM's two steps vs a float64 reference on a quadratic L(w) = Σ ½·a·w² + b·w (gradient a·w + b),
// over several parameter tensors so that the global norm spans them.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { add, mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { square } from '../../src/ops/unary.ts';
import { Adam } from '../../src/nn/optim/adam.ts';
import { SAM } from '../../src/nn/optim/sam.ts';
import { SGD } from '../../src/nn/optim/sgd.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { assertClose, draw, setupGpu } from '../helpers/harness.ts';
import { RefAdam, RefSgd, refSamPerturb } from './optim-ref.ts';

before(setupGpu);

const SHAPES = [[37], [5, 7], [1], [300]];
const TOL = { rel: 2e-6, abs: 1e-6 };

function quadratic(seed: number) {
  const rng = new Rng(seed);
  const n = SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const a = n.map((k) => draw(rng, k, 'positive'));
  const b = n.map((k) => draw(rng, k));
  const w0 = n.map((k) => draw(rng, k));
  const at = a.map((x, k) => tensor(x.map((v) => v * 0.5), SHAPES[k]));
  const bt = b.map((x, k) => tensor(x, SHAPES[k]));
  const params = w0.map((x, k) => requireGrad(tensor(x, SHAPES[k])));
  const grad = (ws: Float64Array[]) => ws.map((w, k) => w.map((wi, i) => a[k][i] * wi + b[k][i]));
  /** forward + backward on the GPU */
  const backward = () =>
    tidy(() => {
      let loss: Tensor | null = null;
      params.forEach((w, k) => {
        const term = add(sum(mul(at[k], square(w))), sum(mul(bt[k], w)));
        loss = loss ? add(loss, term) : term;
      });
      loss!.backward();
    });
  const dispose = () => [...at, ...bt, ...params].forEach((t) => t.dispose());
  return { params, w0, grad, backward, dispose };
}

describe('SAM vs float64 reference', () => {
  for (const adaptive of [false, true]) {
    it(`firstStep perturbs by ρ·g/‖g‖${adaptive ? ' (adaptive)' : ''}; secondStep restores`, async () => {
      const q = quadratic(adaptive ? 2 : 1);
      const sam = new SAM(new SGD(q.params, { lr: 0.1 }), { rho: 0.3, adaptive });
      q.backward();
      sam.firstStep(false);
      const want = refSamPerturb(q.w0, q.grad(q.w0), 0.3, adaptive);
      for (let k = 0; k < SHAPES.length; k++) {
        const got = await q.params[k].readF32();
        assertClose(got, want[k], TOL, `perturbed param ${k}`);
        assertClose(got.map((v, i) => v - q.w0[k][i]), want[k].map((v, i) => v - q.w0[k][i]), { rel: 1e-5, abs: 1e-8 }, `e_w ${k}`);
      }
      sam.base.lr = 0; // the base step changes nothing: only the restore is seen
      sam.secondStep();
      for (let k = 0; k < SHAPES.length; k++) assert.deepEqual([...(await q.params[k].readF32())], [...q.w0[k]]);
      assert.ok(q.params.every((p) => p.grad === null), 'grads dropped after secondStep');
      sam.dispose();
      q.dispose();
    });
  }

  for (const [label, adaptive, base] of [['SGD momentum', false, 'sgd'], ['Adam, adaptive', true, 'adam']] as const) {
    it(`three SAM steps around ${label}`, async () => {
      const q = quadratic(label.length);
      const rho = 0.5; // large enough that the perturbation moves the gradient visibly
      const opt = base === 'sgd' ? new SGD(q.params, { lr: 0.05, momentum: 0.9, weightDecay: 1e-2 }) : new Adam(q.params, { lr: 0.02 });
      const sam = new SAM(opt, { rho, adaptive });
      const refs = q.w0.map((w) => base === 'sgd'
        ? new RefSgd({ lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-2, nesterov: false })
        : new RefAdam({ lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }, w.length));
      const w = q.w0.map((x) => Float64Array.from(x));
      for (let step = 0; step < 3; step++) {
        q.backward();
        sam.step(q.backward);
        const perturbed = refSamPerturb(w, q.grad(w), rho, adaptive);
        const g2 = q.grad(perturbed);
        w.forEach((wk, k) => refs[k].step(wk, g2[k]));
      }
      for (let k = 0; k < SHAPES.length; k++) {
        const got = await q.params[k].readF32();
        assertClose(got, w[k], TOL, `param ${k}`);
        assertClose(got.map((v, i) => v - q.w0[k][i]), w[k].map((v, i) => v - q.w0[k][i]), { rel: 5e-5, abs: 1e-7 }, `update ${k}`);
      }
      assert.equal(sam.stateDict().step, 3);
      sam.dispose();
      opt.dispose();
      q.dispose();
    });
  }

  it('refuses steps out of order', () => {
    const q = quadratic(5);
    const sam = new SAM(new SGD(q.params, { lr: 0.1 }));
    assert.throws(() => sam.secondStep(), /without firstStep/);
    assert.throws(() => sam.firstStep(), /no parameter has a gradient/);
    q.backward();
    sam.firstStep();
    assert.throws(() => sam.firstStep(), /twice/);
    sam.dispose();
    q.dispose();
  });
});
