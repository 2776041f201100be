// `seeable validate`: a checkpoint's one-class validation on as many real faces as you like (default:
// the whole validation folder) — the AUC of every score variant between real faces and fresh soft
// discrepancies of them (never fakes), and the held-out discrepancy accuracy. It is the measure the
// trainer logs on its few faces (same faces, same seed: same figures), so checkpoints can be compared
// on a larger set without touching the test set.
import type { Command } from 'commander';
import { initGpu } from '../gpu/device.ts';
import { formatSkipped, readSplit } from '../io/dataset.ts';
import { decodeImage } from '../io/images.ts';
import { cachedSource, oneClassValSet } from '../seeable/batches.ts';
import { validationSeed } from '../seeable/config.ts';
import { loadDetector, type Detector } from '../seeable/detector.ts';
import { numTypes } from '../seeable/discrepancy.ts';
import { gpuRenderer } from '../seeable/gpu-render.ts';
import { oneClassAuc } from '../seeable/validate.ts';
import { Rng } from '../tensor/random.ts';
import { countProgress } from './count-progress.ts';

export interface ValidateSummary {
  checkpoint: string;
  dir: string;
  faces: number;
  seed: number;
  variant: string;
  auc: number;
  aucByVariant: Record<string, number>;
  accuracy: { class: number; location: number; type: number; binary?: number; n: number };
  chance: { class: number; location: number; type: number };
}

/** A command-line count (`--faces 200`): a positive whole number, or a clear error naming the flag. */
export function positiveCount(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} ${value}: expected a positive whole number`);
  return n;
}

/** One-class validation of a loaded detector (a path: see `loadDetector`). */
export async function validateCheckpoint(checkpoint: string | Detector, o: { dir?: string; faces?: number; seed?: number; progress?: (done: number, total: number) => void } = {}): Promise<ValidateSummary> {
  const det = typeof checkpoint === 'string' ? loadDetector(checkpoint) : checkpoint;
  const dir = o.dir ?? det.cfg.valDir;
  const split = await readSplit(dir, { limit: o.faces, decode: false });
  if (split.skipped.length) process.stderr.write(formatSkipped(split.dir, split.skipped) + '\n');
  if (!split.entries.length) throw new Error(`${dir}: no usable faces (images with landmarks in landmarks.json)`);
  const seed = o.seed ?? validationSeed(det.cfg);
  const src = cachedSource(split.entries, decodeImage);
  const set = await oneClassValSet(src, split.entries.length, new Rng(seed), { sd: det.parts.sd, size: det.cfg.size, renderer: gpuRenderer });
  const r = await oneClassAuc(det.ctx, set, o.progress);
  const K = det.parts.K;
  return {
    checkpoint: det.checkpoint, dir, faces: split.entries.length, seed, variant: det.cfg.scoreVariant, auc: r.auc, aucByVariant: r.byVariant, accuracy: r.accuracy,
    chance: { class: 1 / K, location: 1 / det.parts.sd.scheme.count, type: 1 / numTypes(det.parts.sd) },
  };
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('one-class validation of a checkpoint: real faces vs fresh discrepancies of them (never fakes)')
    .option('--checkpoint <path>', 'a checkpoint JSON, a checkpoints folder (its latest) or a run folder (its best)', 'runs/main')
    .option('--data <dir>', 'real faces with landmarks.json (default: the validation folder the run trained with)')
    .option('--faces <n>', 'the first n faces of the folder (default: all; the trainer uses its valFaces)')
    .option('--seed <n>', 'seed of the discrepancies (default: the trainer\'s)')
    .option('--json', 'print one JSON object instead of text')
    .action(async (o: { checkpoint: string; data?: string; faces?: string; seed?: string; json?: boolean }) => {
      await initGpu();
      const faces = o.faces === undefined ? undefined : positiveCount('faces', o.faces);
      const seed = o.seed === undefined ? undefined : positiveCount('seed', o.seed);
      const s = await validateCheckpoint(o.checkpoint, { dir: o.data, faces, seed, progress: countProgress('[validate]', 'faces') });
      if (o.json) return console.log(JSON.stringify(s));
      const pct = (f: number) => `${(100 * f).toFixed(1)}%`;
      console.log(`one-class validation AUC ${s.auc.toFixed(4)} (${s.variant}; ${s.faces} real faces of ${s.dir} vs a fresh discrepancy of each, seed ${s.seed})`);
      console.log(`  by score variant: ${Object.entries(s.aucByVariant).map(([k, a]) => `${k} ${a.toFixed(4)}`).join(', ')}`);
      console.log(`  held-out discrepancy accuracy (${s.accuracy.n} rows): class ${pct(s.accuracy.class)} (chance ${pct(s.chance.class)}), location ${pct(s.accuracy.location)} (chance ${pct(s.chance.location)}), type ${pct(s.accuracy.type)} (chance ${pct(s.chance.type)})${s.accuracy.binary !== undefined ? `, pristine vs altered ${pct(s.accuracy.binary)}` : ''}`);
    });
}
