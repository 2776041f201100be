// Diagnostic: can the SeeABLE network fit a FIXED set of soft discrepancies? Renders `--batches`
// training batches once, then cycles over them, printing the loss and the nearest-prototype
// accuracy (train mode on the batch; eval mode on the same images). A healthy optimizer drives the
// accuracy towards 100 %; if it does not, the problem is optimisation, not data or compute.
//   npx tsx scripts/overfit-check.ts [--preset quick] [--batches 2] [--steps 150] [--set k=v ...]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import '../src/gpu/node.ts';
import { initGpu } from '../src/gpu/device.ts';
import { parseSets } from '../src/cli/train.ts';
import { readSplit } from '../src/io/dataset.ts';
import { decodeImage } from '../src/io/images.ts';
import { Adam } from '../src/nn/optim/adam.ts';
import { SGD } from '../src/nn/optim/sgd.ts';
import { add, mul } from '../src/ops/elementwise.ts';
import { cachedSource, trainBatch, type Batch } from '../src/seeable/batches.ts';
import { resolveConfig } from '../src/seeable/config.ts';
import { numTypes } from '../src/seeable/discrepancy.ts';
import { bcrLoss, guidanceLoss } from '../src/seeable/losses.ts';
import { classAccuracy } from '../src/seeable/score.ts';
import { embedImages } from '../src/seeable/scorer.ts';
import { buildSeeable } from '../src/seeable/setup.ts';
import { batchOptionsOf } from '../src/seeable/train.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';
import { tidy } from '../src/tensor/scope.ts';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    batches: { type: 'string', default: '2' },
    steps: { type: 'string', default: '150' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const data = resolve(root, '..', 'shared', 'data');
const cfg = resolveConfig(values.preset!, { trainDir: join(data, 'train'), valDir: join(data, 'val') }, parseSets(values.set!));
await initGpu();
const parts = buildSeeable(cfg);
const train = await readSplit(cfg.trainDir, { limit: cfg.trainLimit || undefined, decode: false });
const src = cachedSource(train.entries, decodeImage);
const rng = new Rng(cfg.seed + 1);
const batches: Batch[] = [];
for (let i = 0; i < Number(values.batches); i++) {
  batches.push(await trainBatch(src, rng, batchOptionsOf(cfg, parts)));
}
const params = parts.net.namedParameters();
const opt = cfg.optimizer === 'adam' ? new Adam(params, { lr: cfg.lr, weightDecay: cfg.weightDecay }) : new SGD(params, { lr: cfg.lr, momentum: cfg.momentum });
const S = cfg.size;
const B = cfg.batchFaces;
const nT = numTypes(parts.sd);
console.log(`[overfit] ${batches.length} fixed batches of ${2 * B} images, ${cfg.backbone} at ${S}², K = ${parts.K}, ${cfg.optimizer} lr ${cfg.lr}, λ = ${cfg.lambda}, form ${cfg.bcrForm}`);
for (let step = 0; step < Number(values.steps); step++) {
  const batch = batches[step % batches.length];
  parts.net.train();
  const x = tensor(batch.images, [2 * B, 3, S, S]);
  const y = tensor(batch.labels, [2 * B], 'i32');
  const [loss, z] = tidy(() => {
    const { z } = parts.net.embed(x);
    const bcr = bcrLoss(z, y, parts.prototypes, { tau: cfg.tau, form: cfg.bcrForm });
    const total = cfg.lambda ? add(bcr, mul(guidanceLoss(z, y, parts.prototypes, parts.gtable), cfg.lambda)) : bcr;
    return [total, z];
  });
  loss.backward();
  opt.step();
  opt.zeroGrad();
  const l = await loss.item();
  const acc = classAccuracy(await z.readF32(), batch.labels, parts.prototypesHost, parts.K, nT);
  for (const t of [loss, z, x, y]) t.dispose();
  if ((step + 1) % 10 === 0) {
    const all = batches.flatMap((b) => Array.from({ length: 2 * B }, (_, i) => b.images.subarray(i * 3 * S * S, (i + 1) * 3 * S * S)));
    const h = await embedImages(parts.net, all, S);
    const labels = batches.flatMap((b) => Array.from(b.labels));
    const ev = classAccuracy(h, labels, parts.prototypesHost, parts.K, nT);
    console.log(`step ${step + 1}: loss ${l.toFixed(4)}, train-mode batch acc ${(100 * acc.class).toFixed(0)}%, eval-mode acc on the fixed set: class ${(100 * ev.class).toFixed(0)}% location ${(100 * ev.location).toFixed(0)}% type ${(100 * ev.type).toFixed(0)}%`);
  }
}
