// Module bookkeeping (names, buffers, modes, grads) and Linear: init, forward/backward vs float64.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Linear, linear } from '../../src/nn/linear.ts';
import { Module } from '../../src/nn/module.ts';
import { Activation, Sequential } from '../../src/nn/sequential.ts';
import { sum } from '../../src/ops/reduce.ts';
import { tensor, zeros } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { assertClose, checkOp, draw, getGpu, setupGpu } from '../helpers/harness.ts';
import type { Nd } from '../helpers/nd.ts';

before(setupGpu);

/** x [B, in] · Wᵀ + b in float64 */
function refLinear(x: Nd, w: Nd, b?: Nd): Nd {
  const [B, I] = x.shape;
  const O = w.shape[0];
  const out = new Float64Array(B * O);
  for (let r = 0; r < B; r++) {
    for (let o = 0; o < O; o++) {
      let s = b ? b.data[o] : 0;
      for (let i = 0; i < I; i++) s += x.data[r * I + i] * w.data[o * I + i];
      out[r * O + o] = s;
    }
  }
  return { data: out, shape: [B, O] };
}

class WithBuffer extends Module {
  readonly body: Sequential;
  constructor(rng: Rng) {
    super();
    this.body = this.registerModule('layers', new Sequential(new Linear(3, 5, { rng }), new Activation('tanh'), new Linear(5, 2, { rng, bias: false })));
    this.registerBuffer('running_mean', zeros([5]));
  }
  forward(x: Tensor): Tensor {
    return this.body.forward(x);
  }
}

describe('Module', () => {
  it('names parameters and buffers with dotted paths, PyTorch-style', () => {
    const m = new WithBuffer(new Rng(1));
    assert.deepEqual(m.namedParameters().map(([n, t]) => [n, [...t.shape]]), [
      ['layers.0.weight', [5, 3]], ['layers.0.bias', [5]], ['layers.2.weight', [2, 5]],
    ]);
    assert.deepEqual(m.namedBuffers().map(([n]) => n), ['running_mean']);
    assert.deepEqual([...m.stateDict().keys()], ['layers.0.weight', 'layers.0.bias', 'layers.2.weight', 'running_mean']);
    assert.equal(m.numParameters(), 15 + 5 + 10);
    assert.ok(m.parameters().every((p) => p.requiresGrad));
    assert.ok(m.namedBuffers().every(([, b]) => !b.requiresGrad));
    m.dispose();
  });

  it('train()/eval() reach every descendant', () => {
    const m = new WithBuffer(new Rng(1));
    m.eval();
    assert.ok(m.namedModules().every(([, c]) => !c.training));
    m.train();
    assert.ok(m.namedModules().every(([, c]) => c.training));
    m.dispose();
  });

  it('parameters survive tidy(); zeroGrad() disposes gradients', async () => {
    const m = tidy(() => new WithBuffer(new Rng(2)));
    const x = tensor(draw(new Rng(3), 12), [4, 3]);
    tidy(() => sum(m.forward(x)).backward());
    const grads = m.parameters().map((p) => p.grad!);
    assert.ok(grads.every((g) => g && !g.isDisposed));
    await m.parameters()[0].read(); // still alive
    m.zeroGrad();
    assert.ok(grads.every((g) => g.isDisposed) && m.parameters().every((p) => p.grad === null));
    assert.throws(() => (m as unknown as { registerParameter: (n: string, t: Tensor) => void }).registerParameter('bad.name', zeros([1])), /invalid member name/);
    x.dispose();
    m.dispose();
  });
});

describe('Linear', () => {
  it('init is U(−1/√in, 1/√in) as torch.nn.Linear, and reproducible from the seed', async () => {
    const a = new Linear(300, 17, { rng: new Rng(5) });
    const b = new Linear(300, 17, { rng: new Rng(5) });
    const w = await a.weight.readF32();
    const bound = 1 / Math.sqrt(300);
    assert.ok(w.every((v) => Math.abs(v) <= bound));
    const varW = w.reduce((s, v) => s + v * v, 0) / w.length;
    assert.ok(Math.abs(varW / (bound * bound / 3) - 1) < 0.05, `variance ${varW} vs bound²/3`);
    assert.ok((await a.bias!.readF32()).every((v) => Math.abs(v) <= bound));
    assert.deepEqual(await b.weight.readF32(), w);
    a.dispose();
    b.dispose();
  });

  it('linear(x, W, b) forward and backward vs float64', async () => {
    await checkOp('linear', {
      inputs: [{ shape: [7, 13] }, { shape: [5, 13] }, { shape: [5] }],
      run: (x, w, b) => linear(x, w, b),
      ref: (x, w, b) => refLinear(x, w, b),
      tol: { rel: 1e-5 },
      gradTol: { rel: 2e-3, abs: 1e-5 },
    });
    await checkOp('linear-nobias-batched', {
      inputs: [{ shape: [3, 2, 9] }, { shape: [4, 9] }],
      run: (x, w) => linear(x, w, null),
      ref: (x, w) => ({ ...refLinear({ data: x.data, shape: [6, 9] }, w), shape: [3, 2, 4] }),
      gradTol: { rel: 2e-3, abs: 1e-5 },
    });
  });

  it('Linear.forward uses its own parameters and fills their grads', async () => {
    const l = new Linear(11, 3, { rng: new Rng(6) });
    const xs = draw(new Rng(7), 9 * 11);
    const x = tensor(xs, [9, 11]);
    const y = tidy(() => {
      const out = l.forward(x);
      sum(out).backward();
      return out;
    });
    const w = await l.weight.readF32();
    const b = await l.bias!.readF32();
    const xn = { data: Float64Array.from(xs), shape: [9, 11] };
    assertClose(await y.read(), refLinear(xn, { data: Float64Array.from(w), shape: [3, 11] }, { data: Float64Array.from(b), shape: [3] }).data, { rel: 1e-5 }, 'forward');
    // d Σy / dW[o, i] = Σ_r x[r, i]; d Σy / db = B
    const colSums = Array.from({ length: 11 }, (_, i) => xs.filter((_, k) => k % 11 === i).reduce((s, v) => s + v, 0));
    assertClose(await l.weight.grad!.read(), [0, 1, 2].flatMap(() => colSums), { rel: 1e-5 }, 'weight grad');
    assertClose(await l.bias!.grad!.read(), [9, 9, 9], { rel: 1e-6 }, 'bias grad');
    assert.throws(() => l.forward(tensor([1, 2], [1, 2])), /wrong last dim/);
    y.dispose();
    x.dispose();
    l.dispose();
    getGpu().flush();
  });
});
