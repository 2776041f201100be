// `npm run demo`: a 2→64→64→2 tanh MLP learns the two spirals on the GPU with Adam, from a fixed
// seed. Prints the adapter, the loss and accuracy every N steps, final train/held-out accuracy
// and steps/s. Options: --steps N --lr X --seed S --every N --hidden 64,64 --activation tanh|silu|relu
import '../src/gpu/node.ts';
import { initGpu, shutdownGpu } from '../src/gpu/device.ts';
import { trainSpirals } from '../src/demo/spirals.ts';
import type { ActivationName } from '../src/nn/sequential.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const steps = Number(arg('steps', '500'));
const lr = Number(arg('lr', '0.01'));
const seed = Number(arg('seed', '0'));
const logEvery = Number(arg('every', '50'));
const hidden = arg('hidden', '64,64').split(',').map(Number);
const activation = arg('activation', 'tanh') as ActivationName;

await initGpu({ log: (line) => console.log(line) });
console.log(`two spirals: MLP 2→${hidden.join('→')}→2 (${activation}), Adam lr ${lr}, ${steps} full-batch steps, seed ${seed}`);
const r = await trainSpirals({
  seed, steps, lr, logEvery, hidden, activation,
  onLog: ({ step, loss, trainAcc }) =>
    console.log(`step ${String(step).padStart(5)}  loss ${loss.toFixed(4)}  train acc ${(100 * trainAcc).toFixed(1)} %`),
});
console.log(
  `done: ${r.parameters} parameters, final loss ${r.finalLoss.toFixed(4)}, train acc ${(100 * r.trainAcc).toFixed(1)} %, ` +
    `held-out acc ${(100 * r.testAcc).toFixed(1)} %, ${r.stepsPerSec.toFixed(1)} steps/s (${r.seconds.toFixed(1)} s)`,
);
shutdownGpu();
if (r.testAcc < 0.95) {
  console.error(`held-out accuracy ${(100 * r.testAcc).toFixed(1)} % is below 95 %`);
  process.exitCode = 1;
}
