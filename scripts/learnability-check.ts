// Diagnostic: does the SeeABLE network learn to tell discrepancy classes apart on FRESH batches
// (generalisation, not memorisation)? Trains like `seeable train` minus checkpoints/validation and
// prints the rolling nearest-prototype accuracy of each batch before its update (train mode).
// `--fixed N` cycles over N pre-rendered batches instead (can it fit them at all?) and also prints
// the eval-mode accuracy on them: a gap between the two is the batch-norm statistics' doing.
// `--renderer obvious` replaces the soft discrepancy by an unmistakable one (type 0: colours
// inverted inside the mask; type 1: the mask region greyed), to separate "the network cannot
// localise" from "the real discrepancies are too subtle for this budget".
//   npx tsx scripts/learnability-check.ts [--renderer gpu|obvious] [--fixed N] [--set steps=150] [--set k=v ...]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import '../src/gpu/node.ts';
import { initGpu } from '../src/gpu/device.ts';
import { parseSets } from '../src/cli/train.ts';
import { readSplit } from '../src/io/dataset.ts';
import { decodeImage } from '../src/io/images.ts';
import { Adam } from '../src/nn/optim/adam.ts';
import { cachedSource, trainBatch, type Batch } from '../src/seeable/batches.ts';
import { resolveConfig } from '../src/seeable/config.ts';
import { numTypes, type SdRenderer } from '../src/seeable/discrepancy.ts';
import { classAccuracy } from '../src/seeable/score.ts';
import { embedImages } from '../src/seeable/scorer.ts';
import { buildSeeable } from '../src/seeable/setup.ts';
import { batchOptionsOf, initPretrained, objective } from '../src/seeable/train.ts';
import { tensor } from '../src/tensor/create.ts';
import { Rng } from '../src/tensor/random.ts';

/** Type 0: 1 − x inside the mask; type 1: mid-grey inside the mask. */
const obviousRenderer: SdRenderer = {
  name: 'obvious',
  render: async (items) => items.map(({ image, mask, plan }) => {
    const plane = image.width * image.height;
    const data = new Float32Array(image.data.length);
    for (let c = 0; c < 3; c++) {
      for (let j = 0; j < plane; j++) {
        const x = image.data[c * plane + j];
        const y = plan.type === 0 ? 1 - x : 0.5;
        data[c * plane + j] = mask[j] * y + (1 - mask[j]) * x;
      }
    }
    return { ...image, data };
  }),
};

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'quick' },
    renderer: { type: 'string', default: 'gpu' },
    fixed: { type: 'string', default: '0' },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const data = resolve(root, '..', 'shared', 'data');
const cfg = resolveConfig(values.preset!, { trainDir: join(data, 'train'), valDir: join(data, 'val') }, parseSets(values.set!));
await initGpu();
const parts = buildSeeable(cfg);
if (cfg.pretrained) console.log(`[learnability] encoder initialised from ${initPretrained(cfg, parts)}`);
const train = await readSplit(cfg.trainDir, { limit: cfg.trainLimit || undefined, decode: false });
const src = cachedSource(train.entries, decodeImage);
const rng = new Rng(cfg.seed + 1);
const optsAt = (step: number) => ({ ...batchOptionsOf(cfg, parts, step), ...(values.renderer === 'obvious' ? { renderer: obviousRenderer } : {}) });
const opt = new Adam(parts.net.namedParameters(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
const S = cfg.size;
const B = cfg.batchFaces;
console.log(`[learnability] renderer ${optsAt(0).renderer.name}, curriculum gain ${cfg.curriculumGain} over ${cfg.curriculumFraction} of ${cfg.steps} steps, ${cfg.backbone} at ${S}², K = ${parts.K}${parts.pristine ? ` + pristine (${cfg.pristineFraction})` : ''}, pairing ${cfg.viewPairing}, Adam lr ${cfg.lr}`);
const fixed: Batch[] = [];
for (let i = 0; i < Number(values.fixed); i++) fixed.push(await trainBatch(src, rng, optsAt(0)));
const window: { acc: number; loc: number; type: number; binary: number }[] = [];
for (let step = 0; step < cfg.steps; step++) {
  const batch = fixed.length ? fixed[step % fixed.length] : await trainBatch(src, rng, optsAt(step));
  parts.net.train();
  const x = tensor(batch.images, [2 * B, 3, S, S]);
  const y = tensor(batch.labels, [2 * B], 'i32');
  const [loss, bcr, gui, z] = objective(cfg, parts, x, y);
  loss.backward();
  opt.step();
  opt.zeroGrad();
  const l = await loss.item();
  const a = classAccuracy(await z.readF32(), batch.labels, parts.prototypesHost, parts.K, numTypes(parts.sd), parts.pristine);
  for (const t of [loss, bcr, gui, z, x, y]) t?.dispose();
  window.push({ acc: a.class, loc: a.location, type: a.type, binary: a.binary ?? NaN });
  if (window.length > 20) window.shift();
  const mean = (f: (w: (typeof window)[0]) => number) => ((100 * window.reduce((s, w) => s + f(w), 0)) / window.length).toFixed(0);
  if ((step + 1) % 10 === 0) {
    console.log(`step ${step + 1}: loss ${l.toFixed(3)}; last-20-batch accuracy: class ${mean((w) => w.acc)}% location ${mean((w) => w.loc)}% type ${mean((w) => w.type)}%${parts.pristine ? ` pristine-vs-altered ${mean((w) => w.binary)}%` : ''} (chance ${(100 / parts.K).toFixed(0)} / ${(100 / parts.sd.scheme.count).toFixed(0)} / ${(100 / numTypes(parts.sd)).toFixed(0)})`);
    if (fixed.length) await evalModeAccuracy();
  }
}

/** Eval-mode accuracy on the fixed batches (running BN statistics instead of the batch's). */
async function evalModeAccuracy(): Promise<void> {
  const images = fixed.flatMap((b) => Array.from({ length: 2 * B }, (_, i) => b.images.subarray(i * 3 * S * S, (i + 1) * 3 * S * S)));
  const h = await embedImages(parts.net, images, S);
  const a = classAccuracy(h, fixed.flatMap((b) => Array.from(b.labels)), parts.prototypesHost, parts.K, numTypes(parts.sd), parts.pristine);
  console.log(`   eval mode on the fixed batches: class ${(100 * a.class).toFixed(0)}% location ${(100 * a.location).toFixed(0)}% type ${(100 * a.type).toFixed(0)}%`);
}
