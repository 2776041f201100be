// End to end: a small CNN built from the engine's ops (conv2d → batchNorm2d → swish blocks, max
// pooling, global average pooling, dropout, a dense head, cross-entropy) learns to tell the
// orientation of a bar in noisy 16×16 images (horizontal, vertical, diagonal, anti-diagonal) with
// Adam, then is evaluated in eval mode (running batch-norm statistics, dropout off) on fresh images.
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { Adam } from '../../src/nn/optim/adam.ts';
import { batchNorm2d } from '../../src/ops/batchnorm.ts';
import { conv2d } from '../../src/ops/conv2d.ts';
import { dropout } from '../../src/ops/dropout.ts';
import { add } from '../../src/ops/elementwise.ts';
import { crossEntropy } from '../../src/ops/losses.ts';
import { matmul } from '../../src/ops/matmul.ts';
import { globalAvgPool2d, maxPool2d } from '../../src/ops/pool.ts';
import { reshape } from '../../src/ops/shape.ts';
import { silu } from '../../src/ops/unary.ts';
import { ones, tensor, zeros } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { keep, tidy } from '../../src/tensor/scope.ts';
import { noGrad, requireGrad } from '../../src/tensor/tape.ts';
import type { Tensor } from '../../src/tensor/tensor.ts';
import { getGpu, setupGpu } from '../helpers/harness.ts';

before(setupGpu);

const S = 16;
const CLASSES = 4;

/** One image of a bar (length 7–11, random place and brightness) of orientation `label`, plus noise. */
function drawImage(rng: Rng, label: number, out: Float32Array, at: number): void {
  const len = 7 + rng.int(5);
  const [dy, dx] = [[0, 1], [1, 0], [1, 1], [1, -1]][label];
  const y0 = rng.int(S - (dy ? len : 0));
  const x0 = dx < 0 ? len - 1 + rng.int(S - len + 1) : rng.int(S - (dx ? len : 0));
  const bright = rng.uniform(0.6, 1.4);
  for (let i = 0; i < S * S; i++) out[at + i] = rng.normal(0, 0.35);
  for (let t = 0; t < len; t++) out[at + (y0 + t * dy) * S + x0 + t * dx] += bright;
}

function batch(rng: Rng, n: number): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * S * S);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.int(CLASSES);
    drawImage(rng, y[i], x, i * S * S);
  }
  return { x, y };
}

function param(t: Tensor): Tensor {
  return requireGrad(keep(t));
}

function kaiming(shape: number[], rng: Rng): Tensor {
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal(0, Math.sqrt(2 / fanIn)));
  return tensor(data, shape);
}

class SmallCnn {
  readonly w1: Tensor; readonly g1: Tensor; readonly b1: Tensor; readonly rm1: Tensor; readonly rv1: Tensor;
  readonly w2: Tensor; readonly g2: Tensor; readonly b2: Tensor; readonly rm2: Tensor; readonly rv2: Tensor;
  readonly wf: Tensor; readonly bf: Tensor;
  training = true;

  constructor(rng: Rng, readonly dropRng: Rng) {
    this.w1 = param(kaiming([8, 1, 3, 3], rng));
    this.g1 = param(ones([8]));
    this.b1 = param(zeros([8]));
    this.rm1 = keep(zeros([8]));
    this.rv1 = keep(ones([8]));
    this.w2 = param(kaiming([16, 8, 3, 3], rng));
    this.g2 = param(ones([16]));
    this.b2 = param(zeros([16]));
    this.rm2 = keep(zeros([16]));
    this.rv2 = keep(ones([16]));
    this.wf = param(kaiming([CLASSES, 16], rng));
    this.bf = param(zeros([CLASSES]));
  }

  params(): Tensor[] {
    return [this.w1, this.g1, this.b1, this.w2, this.g2, this.b2, this.wf, this.bf];
  }

  /** x [N, 1, 16, 16] → logits [N, 4]. */
  forward(x: Tensor): Tensor {
    const bn = { training: this.training, momentum: 0.1, eps: 1e-3 };
    let h = silu(batchNorm2d(conv2d(x, this.w1, { padding: 1 }), this.g1, this.b1, this.rm1, this.rv1, bn));
    h = maxPool2d(h, 2); // 16 → 8
    // Block 2 uses the fused BN + swish kernel; block 1 the separate ops.
    h = batchNorm2d(conv2d(h, this.w2, { padding: 1 }), this.g2, this.b2, this.rm2, this.rv2, { ...bn, activation: 'silu' });
    const pooled = reshape(globalAvgPool2d(h), [x.shape[0], 16]);
    const features = dropout(pooled, 0.1, { training: this.training, rng: this.dropRng });
    return add(matmul(features, this.wf, { transB: true }), this.bf);
  }
}

async function accuracy(model: SmallCnn, rng: Rng, n: number): Promise<number> {
  const { x, y } = batch(rng, n);
  const logits = noGrad(() => tidy(() => model.forward(tensor(x, [n, 1, S, S]))));
  const z = await logits.readF32();
  logits.dispose();
  let right = 0;
  for (let i = 0; i < n; i++) {
    const row = z.subarray(i * CLASSES, (i + 1) * CLASSES);
    if (row.indexOf(Math.max(...row)) === y[i]) right++;
  }
  return right / n;
}

it('a two-block conv/BN/swish CNN learns bar orientation to ≥ 90 % held-out accuracy', async () => {
  const t0 = performance.now();
  const rng = new Rng(2024);
  const model = new SmallCnn(rng.fork(), rng.fork());
  const opt = new Adam(model.params(), { lr: 0.01 });
  const dataRng = rng.fork();
  const STEPS = 150;
  const BATCH = 32;
  const losses: number[] = [];
  let liveAfterFirst = 0;
  for (let step = 0; step < STEPS; step++) {
    const { x, y } = batch(dataRng, BATCH);
    const loss = tidy(() => {
      const l = crossEntropy(model.forward(tensor(x, [BATCH, 1, S, S])), tensor(y, [BATCH], 'i32'));
      l.backward();
      opt.step();
      opt.zeroGrad();
      return l;
    });
    if (step % 25 === 0 || step === STEPS - 1) losses.push(await loss.item());
    loss.dispose();
    if (step === 1) liveAfterFirst = getGpu().pool.stats().liveBytes;
  }
  const live = getGpu().pool.stats().liveBytes;
  model.training = false;
  const acc = await accuracy(model, new Rng(7), 400);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`[small-cnn] ${STEPS} steps of ${BATCH}: loss ${losses.map((l) => l.toFixed(3)).join(' → ')}; ` +
    `held-out accuracy ${(acc * 100).toFixed(1)} % (eval mode); ${seconds.toFixed(1)} s`);
  assert.ok(losses.every(Number.isFinite), `non-finite loss: ${losses}`);
  assert.ok(losses[losses.length - 1] < 0.5 * losses[0], `loss did not halve: ${losses}`);
  assert.ok(acc >= 0.9, `held-out accuracy ${acc} < 0.9`);
  assert.equal(live, liveAfterFirst, 'live GPU bytes grew during training (a leak)');
});
