// Optimizer kernels vs float64 references of PyTorch's algorithms (test/nn/optim-ref.ts):
// several steps on random parameters and gradients of odd sizes (1, 37, 1000 elements).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Adam, AdamW, type Optimizer } from '../../src/nn/optim/index.ts';
import { SGD } from '../../src/nn/optim/sgd.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { requireGrad } from '../../src/tensor/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { assertClose, draw, setupGpu } from '../helpers/harness.ts';
import { RefAdam, RefSgd, type AdamHyper, type SgdHyper } from './optim-ref.ts';

before(setupGpu);

const SHAPES = [[1], [37], [8, 125]];
const STEPS = 6;
/** Parameters after the updates: |gpu − ref| ≤ 1e-6 + 2e-6·max|ref| (f32 rounding of each step). */
const TOL_P = { rel: 2e-6, abs: 1e-6 };
/** The accumulated update w − w0 (and the state), relative to its own scale. */
const TOL_DELTA = { rel: 5e-5, abs: 1e-7 };

interface Setup { params: Tensor[]; hosts: Float64Array[] }

function makeParams(rng: Rng, shapes = SHAPES): Setup {
  const hosts = shapes.map((s) => draw(rng, s.reduce((a, b) => a * b, 1)));
  return { params: hosts.map((h, i) => requireGrad(tensor(h, shapes[i]))), hosts };
}

function setGrads(rng: Rng, params: Tensor[], scale = 1): Float64Array[] {
  return params.map((p) => {
    const g = draw(rng, p.size).map((x) => Math.fround(x * scale));
    p.grad?.dispose();
    p.grad = tensor(g, p.shape);
    return g;
  });
}

async function checkAgainst(
  name: string, opt: Optimizer, s: Setup, refStep: (k: number, p: Float64Array, g: Float64Array) => void,
  state: (k: number) => [string, Float64Array][], seed: number, gradScale = 1,
): Promise<void> {
  const rng = new Rng(seed);
  const ref = s.hosts.map((h) => Float64Array.from(h));
  for (let step = 0; step < STEPS; step++) {
    const gs = setGrads(rng, s.params, gradScale);
    opt.step();
    ref.forEach((p, k) => refStep(k, p, gs[k]));
    opt.zeroGrad();
  }
  const st = opt.stateDict();
  for (let k = 0; k < s.params.length; k++) {
    const got = await s.params[k].readF32();
    const what = `${name} param ${k} [${s.params[k].shape}]`;
    assertClose(got, ref[k], TOL_P, what);
    assertClose(got.map((v, i) => v - s.hosts[k][i]), ref[k].map((v, i) => v - s.hosts[k][i]), TOL_DELTA, `${what} update`);
    for (const [key, want] of state(k)) {
      const t = st.tensors.get(`${k}.${key}`);
      assert.ok(t, `${name}: state ${k}.${key} is missing`);
      assertClose(await t.readF32(), want, TOL_DELTA, `${what} ${key}`);
    }
    assert.equal(st.paramSteps[String(k)], STEPS);
  }
  assert.equal(st.step, STEPS);
  opt.dispose();
  s.params.forEach((p) => p.dispose());
}

describe('SGD vs float64 PyTorch reference', () => {
  const cases: [string, SgdHyper][] = [
    ['plain', { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false }],
    ['weight decay', { lr: 0.05, momentum: 0, dampening: 0, weightDecay: 0.3, nesterov: false }],
    ['momentum + dampening + decay', { lr: 0.05, momentum: 0.9, dampening: 0.25, weightDecay: 0.1, nesterov: false }],
    ['nesterov + decay', { lr: 0.05, momentum: 0.8, dampening: 0, weightDecay: 5e-2, nesterov: true }],
  ];
  cases.forEach(([label, h], ci) => {
    it(label, async () => {
      const s = makeParams(new Rng(100 + ci));
      const opt = new SGD(s.params, h);
      const refs = s.params.map(() => new RefSgd(h));
      await checkAgainst(`sgd ${label}`, opt, s, (k, p, g) => refs[k].step(p, g),
        (k) => (h.momentum ? [['momentum_buffer', refs[k].buf!]] : []), 200 + ci);
    });
  });
  it('rejects Nesterov without momentum, as PyTorch does', () => {
    assert.throws(() => new SGD([], { lr: 0.1, nesterov: true }), /Nesterov/);
  });
});

describe('Adam / AdamW vs float64 PyTorch reference', () => {
  const cases: [string, AdamHyper, number][] = [
    ['adam defaults', { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false }, 1],
    ['adam L2 decay', { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-8, weightDecay: 0.2, decoupled: false }, 1],
    // Gradients of 1e-3 make √v̂ comparable to eps: eps inside the sqrt would fail this case.
    ['adam eps outside the sqrt', { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-3, weightDecay: 0, decoupled: false }, 1e-3],
    ['adamw decoupled decay', { lr: 0.05, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.5, decoupled: true }, 1],
  ];
  cases.forEach(([label, h, gscale], ci) => {
    it(label, async () => {
      const s = makeParams(new Rng(300 + ci));
      const o = { lr: h.lr, betas: [h.beta1, h.beta2] as const, eps: h.eps, weightDecay: h.weightDecay };
      const opt = h.decoupled ? new AdamW(s.params, o) : new Adam(s.params, o);
      const refs = s.params.map((p) => new RefAdam(h, p.size));
      await checkAgainst(`${label}`, opt, s, (k, p, g) => refs[k].step(p, g),
        (k) => [['exp_avg', refs[k].m], ['exp_avg_sq', refs[k].v]], 400 + ci, gscale);
    });
  });

  it('skips parameters without a gradient and counts steps per parameter', async () => {
    const h: AdamHyper = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupled: false };
    const s = makeParams(new Rng(7), [[5], [3]]);
    const opt = new Adam([['a', s.params[0]], ['b', s.params[1]]], { lr: h.lr });
    const refA = new RefAdam(h, 5);
    const refB = new RefAdam(h, 3);
    const pa = Float64Array.from(s.hosts[0]);
    const pb = Float64Array.from(s.hosts[1]);
    const rng = new Rng(8);
    for (let step = 0; step < 4; step++) {
      const [ga, gb] = setGrads(rng, s.params);
      if (step % 2 === 1) {
        s.params[1].grad!.dispose();
        s.params[1].grad = null;
      } else refB.step(pb, gb);
      refA.step(pa, ga);
      opt.step();
      opt.zeroGrad();
    }
    assertClose(await s.params[0].readF32(), pa, TOL_P, 'a');
    assertClose(await s.params[1].readF32(), pb, TOL_P, 'b (bias correction uses its own step count)');
    assert.deepEqual(opt.stateDict().paramSteps, { a: 4, b: 2 });
    opt.dispose();
    s.params.forEach((p) => p.dispose());
  });

  it('stateDict / loadStateDict resume bit for bit', async () => {
    const rng = new Rng(9);
    const a = makeParams(rng, [[37], [4, 3]]);
    const b = { params: a.hosts.map((h, i) => requireGrad(tensor(h, a.params[i].shape))), hosts: a.hosts };
    const optA = new AdamW(a.params, { lr: 0.03, weightDecay: 0.1 });
    const optB = new AdamW(b.params, { lr: 0.5 });
    const grads = new Rng(10);
    const run = (opt: Optimizer, ps: Tensor[], r: Rng, n: number) => {
      for (let i = 0; i < n; i++) {
        setGrads(r, ps);
        opt.step();
        opt.zeroGrad();
      }
    };
    run(optA, a.params, grads, 3);
    // B: same weights as A after 3 steps, then A's optimizer state.
    for (let k = 0; k < 2; k++) {
      b.params[k].dispose();
      b.params[k] = requireGrad(tensor(await a.params[k].readF32(), a.params[k].shape));
    }
    const optB2 = new AdamW(b.params, { lr: 0.5 });
    optB2.loadStateDict(optA.stateDict());
    assert.equal(optB2.lr, 0.03);
    assert.equal(optB2.stepCount, 3);
    const seedState = grads.getState();
    run(optA, a.params, grads, 2);
    const again = new Rng(0);
    again.setState(seedState);
    run(optB2, b.params, again, 2);
    for (let k = 0; k < 2; k++) assert.deepEqual(await b.params[k].readF32(), await a.params[k].readF32());
    assert.throws(() => new SGD(b.params, { lr: 1 }).loadStateDict(optA.stateDict()), /from adamw/);
    [optA, optB, optB2].forEach((o) => o.dispose());
    [...a.params, ...b.params].forEach((p) => p.dispose());
  });

  it('refuses a gradient of the wrong size', () => {
    const s = makeParams(new Rng(11), [[6]]);
    s.params[0].grad = tensor([1, 2, 3], [3]);
    assert.throws(() => new Adam(s.params).step(), /gradient of "0" has 3 elements/);
    s.params[0].grad.dispose();
    s.params[0].dispose();
  });
});
