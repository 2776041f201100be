// Memory discipline: a training loop allocates nothing once warm (live bytes flat, no new GPU
// buffers), tidy() frees intermediates, backward() frees what the forward saved, and a disposed
// tensor cannot be used.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { makeMlp, makeSpirals } from '../../src/demo/spirals.ts';
import { crossEntropy } from '../../src/ops/losses.ts';
import { Adam } from '../../src/nn/optim/adam.ts';
import { SAM } from '../../src/nn/optim/sam.ts';
import { SGD } from '../../src/nn/optim/sgd.ts';
import { add, binaryRaw, mul } from '../../src/ops/elementwise.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { mean, sum } from '../../src/ops/reduce.ts';
import { exp, square, tanh } from '../../src/ops/unary.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { record, requireGrad } from '../../src/tensor/tape.ts';
import { Tensor } from '../../src/tensor/tensor.ts';
import { draw, getGpu, setupGpu } from '../helpers/harness.ts';

before(setupGpu);

const live = () => getGpu().pool.stats().liveBytes;

/** A small classification problem and an MLP on it. */
function problem(seed: number) {
  const rng = new Rng(seed);
  const data = makeSpirals(61, rng.fork());
  const model = makeMlp([2, 16, 16, 2], 'tanh', rng.fork());
  const x = tensor(data.x, [61, 2]);
  const t = tensor(data.labels, [61], 'i32');
  return { model, x, t, dispose: () => [x, t].forEach((v) => v.dispose()) };
}

describe('memory stays flat in a training loop', () => {
  it('1,000 Adam steps: live bytes identical after warm-up, no new GPU buffers', async () => {
    const gpu = getGpu();
    gpu.poison = false; // fewer dispatches; allocation is what is measured here
    const { model, x, t, dispose } = problem(1);
    const opt = new Adam(model.namedParameters(), { lr: 0.01 });
    const WARMUP = 5;
    let liveAfterWarmup = -1;
    let createdAfterWarmup = -1;
    const losses: number[] = [];
    try {
      for (let step = 1; step <= 1000; step++) {
        const readLoss = step % 250 === 0;
        const loss = tidy(() => {
          const l = crossEntropy(model.forward(x), t);
          l.backward();
          opt.step();
          opt.zeroGrad();
          return readLoss ? l : null;
        });
        gpu.flush();
        if (loss) {
          losses.push(await loss.item());
          loss.dispose();
        }
        if (step === WARMUP) {
          liveAfterWarmup = live();
          createdAfterWarmup = gpu.pool.stats().created;
        } else if (step > WARMUP && live() !== liveAfterWarmup) {
          assert.fail(`step ${step}: live bytes ${live()} ≠ ${liveAfterWarmup} after warm-up`);
        }
      }
      await gpu.sync();
      assert.equal(gpu.pool.stats().created, createdAfterWarmup, 'the pool created buffers after warm-up');
      assert.ok(losses.every(Number.isFinite) && losses[3] < losses[0], `the loop trains: ${losses}`);
    } finally {
      gpu.poison = true;
      opt.dispose();
      model.dispose();
      dispose();
    }
  });

  for (const [label, adaptive] of [['SAM-SGD', false], ['adaptive SAM-SGD', true]] as const) {
    it(`200 ${label} steps (two backward passes a step) stay flat too`, async () => {
      const gpu = getGpu();
      gpu.poison = false;
      const base0 = live();
      const { model, x, t, dispose } = problem(2);
      const sgd = new SGD(model.namedParameters(), { lr: 0.05, momentum: 0.9, weightDecay: 5e-4 });
      const sam = new SAM(sgd, { rho: 0.05, adaptive });
      const lossAndGrad = () => tidy(() => crossEntropy(model.forward(x), t).backward());
      let after = -1;
      let created = -1;
      try {
        for (let step = 1; step <= 200; step++) {
          lossAndGrad();
          sam.step(lossAndGrad);
          gpu.flush();
          if (step === 3) (after = live()), (created = gpu.pool.stats().created);
          else if (step > 3) assert.equal(live(), after, `step ${step}`);
        }
        await gpu.sync();
        assert.equal(gpu.pool.stats().created, created);
      } finally {
        gpu.poison = true;
        sam.dispose();
        sgd.dispose();
      }
      model.dispose();
      dispose();
      assert.equal(live(), base0, 'the model, data and SAM state were freed');
    });
  }
});

describe('scopes and the tape free what they should', () => {
  it('tidy() frees every intermediate and keeps only the result', async () => {
    const rng = new Rng(3);
    const a = tensor(draw(rng, 37 * 11), [37, 11]);
    const b = tensor(draw(rng, 11 * 5), [11, 5]);
    const before0 = live();
    const out = tidy(() => tanh(add(matmul(a, b), mul(exp(sum(a)), 0.01))));
    const outBytes = out.storage.buffer.size;
    assert.equal(live(), before0 + outBytes);
    out.dispose();
    assert.equal(live(), before0);
    assert.throws(() => tidy(() => { mul(a, 2); throw new Error('boom'); }), /boom/);
    assert.equal(live(), before0, 'a throwing tidy() frees too');
    a.dispose();
    b.dispose();
  });

  it('backward() frees the tensors the forward saved; dropping an unused graph frees it too', () => {
    const rng = new Rng(4);
    const w = requireGrad(tensor(draw(rng, 19 * 7), [19, 7]));
    const x = tensor(draw(rng, 23 * 19), [23, 19]);
    const base = live();
    const loss = tidy(() => mean(square(tanh(matmul(x, w)))));
    const lossBytes = loss.storage.buffer.size;
    assert.ok(live() > base + lossBytes, 'the graph holds saved intermediates until backward');
    loss.backward();
    const gradBytes = w.grad!.storage.buffer.size;
    assert.equal(live(), base + lossBytes + gradBytes, 'after backward only the loss and the grad remain');
    loss.dispose();
    w.grad!.dispose();
    w.grad = null;
    assert.equal(live(), base);
    // A forward whose output is dropped without backward releases its whole graph.
    tidy(() => mean(square(tanh(matmul(x, w))))).dispose();
    assert.equal(live(), base, 'an abandoned graph is freed with its output');
    tidy(() => {
      mean(square(tanh(matmul(x, w))));
    });
    assert.equal(live(), base, 'an abandoned graph is freed when tidy() disposes its output');
    w.dispose();
    x.dispose();
  });

  it('backward() frees the graph behind an input that receives no gradient', () => {
    const rng = new Rng(5);
    const w = requireGrad(tensor(draw(rng, 29), [29]));
    const base = live();
    /** An op whose backward sends nothing to its input (like a stop-gradient). */
    const noGradOp = (v: Tensor): Tensor => {
      const out = binaryRaw('mul', v, 1); // forward only: the node is the one recorded below
      record('stop', out, [v], [v], () => [null]);
      return out;
    };
    const loss = tidy(() => add(sum(noGradOp(exp(square(w)))), sum(w)));
    loss.backward();
    loss.dispose();
    const gradBytes = w.grad!.storage.buffer.size;
    assert.equal(live(), base + gradBytes, 'no saved tensor of the stopped branch survives');
    w.grad!.dispose();
    w.dispose();
  });
});

describe('disposed tensors', () => {
  it('using a disposed tensor throws a clear error', async () => {
    const t = tensor([1, 2, 3], [3]);
    t.dispose();
    assert.throws(() => add(t, 1), /Tensor #\d+ \[3\] was used after dispose\(\)/);
    await assert.rejects(t.read(), /used after dispose/);
    t.dispose(); // idempotent
  });

  it('even while a view keeps its storage alive', async () => {
    const t = tensor([1, 2, 3, 4], [4]);
    const v = t.view([2, 2]);
    t.dispose();
    assert.throws(() => add(t, 1), /used after dispose/);
    assert.deepEqual([...(await v.read())], [1, 2, 3, 4], 'the view still works');
    v.dispose();
  });

  it('a disposed parameter in a graph fails at the op, not silently', () => {
    const w = requireGrad(tensor([1, 2], [2]));
    w.dispose();
    assert.throws(() => tidy(() => sum(mul(w, w))), /used after dispose/);
  });
});
