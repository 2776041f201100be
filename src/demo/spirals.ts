// The two-spirals task and a small MLP trained on it end to end on the GPU: the engine's smoke
// test (scripts/demo-mlp.ts prints it; test/e2e/spirals.test.ts asserts it). Browser-safe.
import { getGpu } from '../gpu/device.ts';
import { crossEntropy } from '../ops/losses.ts';
import { Linear } from '../nn/linear.ts';
import { accuracy } from '../nn/loss.ts';
import { Adam } from '../nn/optim/adam.ts';
import { Activation, Sequential, type ActivationName } from '../nn/sequential.ts';
import { tensor } from '../tensor/create.ts';
import { Rng } from '../tensor/random.ts';
import { tidy } from '../tensor/scope.ts';
import { noGrad } from '../tensor/tape.ts';
import type { Tensor } from '../tensor/tensor.ts';

export interface SpiralData {
  /** points [n, 2], row-major, roughly within [−1, 1]² */
  x: Float32Array;
  /** class of each point: 0 or 1 */
  labels: Int32Array;
  n: number;
}

export interface SpiralOptions {
  /** turns of each arm (default 2) */
  turns?: number;
  /** Gaussian noise, in units of the arm spacing (default 0.1) */
  noise?: number;
}

/** n points (half per class) on two interleaved arms r = θ, the second rotated by π, with
 *  θ = √u · 2π·turns (uniform density along the plane) and noise; scaled so that r ≤ 1. */
export function makeSpirals(n: number, rng: Rng, o: SpiralOptions = {}): SpiralData {
  const thetaMax = 2 * Math.PI * (o.turns ?? 2);
  const noise = (o.noise ?? 0.1) * Math.PI; // arms of the two classes are π apart in r
  const x = new Float32Array(2 * n);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 2;
    const theta = Math.sqrt(rng.uniform()) * thetaMax;
    const phase = theta + c * Math.PI;
    x[2 * i] = (theta * Math.cos(phase) + rng.normal(0, noise)) / thetaMax;
    x[2 * i + 1] = (theta * Math.sin(phase) + rng.normal(0, noise)) / thetaMax;
    labels[i] = c;
  }
  return { x, labels, n };
}

export function makeMlp(sizes: readonly number[], activation: ActivationName, rng: Rng): Sequential {
  const layers = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i], sizes[i + 1], { rng }));
    if (i + 2 < sizes.length) layers.push(new Activation(activation));
  }
  return new Sequential(...layers);
}

export interface TrainSpiralsOptions {
  seed?: number;
  trainPoints?: number;
  testPoints?: number;
  spiral?: SpiralOptions;
  hidden?: readonly number[];
  activation?: ActivationName;
  steps?: number;
  lr?: number;
  /** read the loss back (one sync) every this many steps */
  logEvery?: number;
  onLog?: (e: { step: number; loss: number; trainAcc: number }) => void;
}

export interface TrainSpiralsResult {
  steps: number;
  finalLoss: number;
  trainAcc: number;
  testAcc: number;
  seconds: number;
  stepsPerSec: number;
  parameters: number;
}

async function evaluate(model: Sequential, x: Tensor, labels: Int32Array): Promise<number> {
  const logits = noGrad(() => tidy(() => model.forward(x)));
  const acc = accuracy(await logits.readF32(), labels, 2);
  logits.dispose();
  return acc;
}

/** Full-batch Adam on the two spirals: one tidy() and one flush per step, the loss read back
 *  only every `logEvery` steps. Everything it allocates is freed before it returns. */
export async function trainSpirals(o: TrainSpiralsOptions = {}): Promise<TrainSpiralsResult> {
  const rng = new Rng(o.seed ?? 0);
  const train = makeSpirals(o.trainPoints ?? 512, rng.fork(), o.spiral);
  const test = makeSpirals(o.testPoints ?? 512, rng.fork(), o.spiral);
  const model = makeMlp([2, ...(o.hidden ?? [64, 64]), 2], o.activation ?? 'tanh', rng.fork());
  const opt = new Adam(model.namedParameters(), { lr: o.lr ?? 0.01 });
  const steps = o.steps ?? 1000;
  const logEvery = o.logEvery ?? 100;
  const gpu = getGpu();
  const x = tensor(train.x, [train.n, 2]);
  const y = tensor(train.labels, [train.n], 'i32');
  const xTest = tensor(test.x, [test.n, 2]);
  let finalLoss = NaN;
  const t0 = performance.now();
  try {
    for (let step = 1; step <= steps; step++) {
      const report = step % logEvery === 0 || step === steps;
      const out = tidy(() => {
        const logits = model.forward(x);
        const loss = crossEntropy(logits, y);
        loss.backward();
        opt.step();
        opt.zeroGrad();
        return report ? { loss, logits } : null;
      });
      gpu.flush();
      if (out) {
        finalLoss = await out.loss.item();
        const trainAcc = accuracy(await out.logits.readF32(), train.labels, 2);
        out.loss.dispose();
        out.logits.dispose();
        o.onLog?.({ step, loss: finalLoss, trainAcc });
      }
    }
    await gpu.sync();
    const seconds = (performance.now() - t0) / 1000;
    return {
      steps,
      finalLoss,
      trainAcc: await evaluate(model, x, train.labels),
      testAcc: await evaluate(model, xTest, test.labels),
      seconds,
      stepsPerSec: steps / seconds,
      parameters: model.numParameters(),
    };
  } finally {
    [x, y, xTest].forEach((t) => t.dispose());
    opt.dispose();
    model.dispose();
  }
}
