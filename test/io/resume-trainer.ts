// Child process of test/io/resume.test.ts: trains a reduced EfficientNet (width 0.25, depth 0.34,
// 32×32, drop-connect on, SGD with momentum and weight decay) on seeded synthetic batches,
// checkpointing every `every` steps; resumes from the folder's latest checkpoint if there is one.
// Prints "step N" after each step and "checkpoint N" after each save; writes the final state to OUT.
// Usage: node --import tsx test/io/resume-trainer.ts DIR STEPS EVERY OUT
import '../../src/gpu/node.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { initGpu } from '../../src/gpu/device.ts';
import { latestCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.ts';
import { serializeSafetensors, type SafeInput } from '../../src/io/safetensors.ts';
import { EfficientNet } from '../../src/models/index.ts';
import { softmaxCrossEntropy } from '../../src/nn/loss.ts';
import { SGD } from '../../src/nn/optim/sgd.ts';
import { randn, tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';

export const TRAINER_MODEL = { width: 0.25, depth: 0.34, resolution: 32, numClasses: 2, dropConnect: 0.2 };

async function main(): Promise<void> {
  const [dir, stepsArg, everyArg, out] = process.argv.slice(2);
  const steps = Number(stepsArg);
  const every = Number(everyArg);
  mkdirSync(dir, { recursive: true });
  await initGpu({ log: null });
  const model = new EfficientNet({ variant: 'custom', ...TRAINER_MODEL, padding: 'symmetric', bnEps: 1e-3, bnMomentum: 0.1, dropout: 0 }, { seed: 5 });
  const opt = new SGD(model.namedParameters(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-4 });
  const data = new Rng(11);
  const rngs = { data, drop: model.dropRng };
  let start = 0;
  if (latestCheckpoint(dir)) {
    const ck = loadCheckpoint(dir);
    restoreCheckpoint(ck, { model, optimizer: opt, rngs });
    start = ck.meta.step;
    console.log(`resumed ${start}`);
  }
  for (let step = start + 1; step <= steps; step++) {
    const x = randn([4, 3, 32, 32], { rng: data });
    const labels = Array.from({ length: 4 }, () => data.int(2));
    const target = tensor(labels.flatMap((l) => (l ? [0, 1] : [1, 0])), [4, 2]);
    const loss = tidy(() => softmaxCrossEntropy(model.classify(model.forward(x)), target));
    loss.backward();
    opt.step();
    opt.zeroGrad();
    for (const t of [x, target, loss]) t.dispose();
    console.log(`step ${step}`);
    if (step % every === 0) {
      await saveCheckpoint(dir, { step, epoch: 0, model, optimizer: opt, rngs });
      console.log(`checkpoint ${step}`);
    }
  }
  const state = new Map<string, SafeInput>();
  for (const [name, t] of model.stateDict()) state.set(name, { shape: [...t.shape], data: await t.readF32() });
  writeFileSync(out, serializeSafetensors(state));
  console.log('done');
}

main().then(() => process.exit(0), (e) => {
  console.error(e);
  process.exit(1);
});
