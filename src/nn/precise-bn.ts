// Batch-norm recalibration ("precise BN"): replace every layer's running statistics by the exact
// average of the batch statistics over a set of batches, with the weights fixed. Early in training
// the weights move faster than the EMA (momentum 0.1 ≈ a 10-step memory of *older* weights), so
// eval-mode outputs drift far from train-mode ones — measured on SeeABLE: cos(train h, eval h)
// 0.2–0.4 after 30 Adam steps, 0.97–1.0 after recalibration. Validation and scoring run in eval
// mode, so the trainer recalibrates before each validation.
import type { Module } from './module.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../tensor/tape.ts';
import { tidy } from '../tensor/scope.ts';

/** A layer with EMA running statistics (BatchNorm): momentum is the weight of the new batch. */
export interface RunningStatsLayer extends Module {
  momentum: number;
  readonly runningMean: Tensor;
  readonly runningVar: Tensor;
}

function isRunningStatsLayer(m: Module): m is RunningStatsLayer {
  const r = m as unknown as Partial<Record<keyof RunningStatsLayer, unknown>>;
  return typeof r.momentum === 'number' && r.runningMean !== undefined && r.runningVar !== undefined;
}

export function runningStatsLayers(net: Module): RunningStatsLayer[] {
  return net.namedModules().map(([, m]) => m).filter(isRunningStatsLayer);
}

export interface RecalibrationInputs {
  /** how many batches to average over */
  batches: number;
  /** batch i's input (made asynchronously: rendering, decoding); disposed here after use */
  input: (i: number) => Promise<Tensor>;
  /** the network's forward pass on it; its output is disposed here */
  forward: (x: Tensor) => Tensor;
}

/**
 * Run the batches forward with only the batch-norm layers in training mode — everything else
 * (drop-connect, dropout) behaves as at test time — and the momentum of pass i set to 1/(i+1), so
 * the running mean and (unbiased) variance end as the plain average over the batches. Restores the
 * modes and momenta afterwards. Returns the number of layers recalibrated.
 */
export async function recalibrateBatchNorm(net: Module, o: RecalibrationInputs): Promise<number> {
  if (!(Number.isInteger(o.batches) && o.batches > 0)) throw new Error(`recalibrateBatchNorm: batches must be a positive integer, got ${o.batches}`);
  const layers = runningStatsLayers(net);
  const wasTraining = net.training;
  const momenta = layers.map((l) => l.momentum);
  try {
    for (let i = 0; i < o.batches; i++) {
      const x = await o.input(i);
      net.eval();
      for (const l of layers) {
        l.training = true;
        l.momentum = 1 / (i + 1);
      }
      tidy(() => noGrad(() => o.forward(x))).dispose();
      x.dispose();
    }
  } finally {
    layers.forEach((l, j) => (l.momentum = momenta[j]));
    net.train(wasTraining);
  }
  return layers.length;
}
