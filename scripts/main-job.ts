// The README's main job: a short one-class SeeABLE training on ../shared/data (real faces only),
// then an evaluation on ../shared/data/test (real vs fake), and a summary of where things are.
// A rerun resumes the run folder (or reuses a finished one); pass --fresh to start over.
//   npx tsx scripts/main-job.ts [--run runs/main] [--preset quick|long] [--eval-limit 100] [--val-faces 200] [--fresh] [--set k=v ...]
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import '../src/gpu/node.ts';
import { initGpu } from '../src/gpu/device.ts';
import { countProgress } from '../src/cli/count-progress.ts';
import { evaluate } from '../src/cli/eval.ts';
import { positiveCount, validateCheckpoint } from '../src/cli/validate.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { copyCheckpoint, readCheckpointMeta } from '../src/io/checkpoint.ts';
import { parseSets } from '../src/cli/train.ts';
import { resolveConfig } from '../src/seeable/config.ts';
import { loadDetector } from '../src/seeable/detector.ts';
import { trainSeeable } from '../src/seeable/train.ts';
import { writeReport } from '../src/report/write.ts';

const root = resolve(import.meta.dirname, '..');
const data = resolve(root, '..', 'shared', 'data');
const { values } = parseArgs({
  options: {
    run: { type: 'string' }, // default runs/main (quick), runs/main-<preset> otherwise: a preset never resumes another's run
    preset: { type: 'string', default: 'quick' },
    'eval-limit': { type: 'string', default: '100' },
    // the trainer validates on a few faces (valFaces) to stay fast; the end figure uses more
    'val-faces': { type: 'string', default: '200' },
    fresh: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const runDir = values.run ?? join(root, 'runs', values.preset === 'quick' ? 'main' : `main-${values.preset}`);
async function mainJob(): Promise<void> {
  const valFaces = positiveCount('val-faces', values['val-faces']!);
  if (!existsSync(join(data, 'train'))) throw new Error(`${data}/train not found: the main job reads the bundled faces from ../shared/data`);

  const cfg = resolveConfig(values.preset!, { trainDir: join(data, 'train'), valDir: join(data, 'val') }, parseSets(values.set!));
  const gpu = await initGpu();
  const t0 = performance.now();
  console.log(`[main] training SeeABLE (${values.preset}: ${cfg.backbone} at ${cfg.size}², ${cfg.steps} steps of ${cfg.batchFaces} faces × 2 views, ${cfg.optimizer}) → ${runDir}`);
  const r = await trainSeeable({ cfg, runDir, resume: !values.fresh, command: `scripts/main-job.ts ${process.argv.slice(2).join(' ')}` });
  const trainS = (performance.now() - t0) / 1000;
  // The trainer keeps as "best" the checkpoint with the highest AUC on its few validation faces (noisy);
  // the last one ends the LR decay. Both are validated on more faces and the better one is evaluated.
  const best = r.bestCheckpoint ?? r.checkpoint;
  const candidates = readCheckpointMeta(best).step === readCheckpointMeta(r.checkpoint).step ? [best] : [best, r.checkpoint];
  const validated = [];
  for (const c of candidates) {
    console.log(`[main] one-class validation of ${c} on ${valFaces} val faces (real vs a fresh discrepancy of each; never fakes)`);
    const det = loadDetector(c);
    const v = await validateCheckpoint(det, { faces: valFaces, progress: countProgress('[validate]', 'faces') });
    const others = Object.entries(v.aucByVariant).filter(([k]) => k !== v.variant).map(([k, a]) => `${k} ${a.toFixed(4)}`).join(', ');
    console.log(`[main]   AUC ${v.auc.toFixed(4)} (${v.variant}; ${others}), held-out location ${(100 * v.accuracy.location).toFixed(1)} % (chance ${(100 * v.chance.location).toFixed(1)} %)`);
    validated.push({ det, v });
  }
  const chosen = validated.reduce((a, b) => (b.v.auc > a.v.auc ? b : a));
  const { det, v } = chosen;
  // `seeable score|eval|validate --checkpoint runs/…` take a run folder's best: make it the one evaluated here
  const ckpt = chosen === validated[0] ? det.checkpoint
    : copyCheckpoint(det.checkpoint, 'best', { selectedBy: `main job: one-class AUC ${v.auc.toFixed(4)} on ${v.faces} val faces, over ${validated.map((x) => `${basename(x.v.checkpoint)} ${x.v.auc.toFixed(4)}`).join(', ')}` });
  if (ckpt !== det.checkpoint) console.log(`[main] ${basename(det.checkpoint)} validates better than the trainer's pick; copied to ${ckpt}`);
  writeFileAtomic(join(runDir, 'validate.json'), JSON.stringify({ ...v, candidates: validated.map((x) => ({ checkpoint: x.v.checkpoint, auc: x.v.auc, aucByVariant: x.v.aucByVariant, accuracy: x.v.accuracy })) }, null, 2));
  const perFace = cfg.scoreVariant === 'pristine-margin' ? 'the unaltered face, pristine-margin score' : `K = ${cfg.gridRows * cfg.gridCols * (cfg.types === 'sbi2' ? 2 : 4)} discrepancies each, ${cfg.scoreVariant} score`;
  console.log(`[main] evaluating ${ckpt} on ${data}/test (${values['eval-limit']} real + ${values['eval-limit']} fake faces; ${perFace})`);
  const evalDir = join(runDir, 'eval');
  const s = await evaluate(det, join(data, 'test', 'real'), join(data, 'test', 'fake'), {
    limit: Number(values['eval-limit']) || undefined, out: evalDir,
    progress: countProgress('[eval]', 'images'),
  });
  const report = await writeReport(runDir, { evalDir });
  const totalS = (performance.now() - t0) / 1000;
  console.log(`
SeeABLE main job — ${gpu.adapter.description || gpu.adapter.device}${gpu.adapter.isSoftware ? ' (software adapter)' : ''}
  one-class validation AUC : ${v.auc.toFixed(4)} (${v.variant}) on ${v.faces} val faces (held-out location ${(100 * v.accuracy.location).toFixed(1)} %, chance ${(100 * v.chance.location).toFixed(1)} %); while training ${r.bestValAuc?.toFixed(4) ?? 'n/a'} (best; last ${r.lastValAuc?.toFixed(4) ?? 'n/a'}) on ${cfg.valFaces}
  test ROC-AUC             : ${s.auc.toFixed(4)}   AP ${s.ap.toFixed(4)}   EER ${s.eer.toFixed(4)}   (${s.counts.real} real, ${s.counts.fake} fake${s.counts.unscored ? `, ${s.counts.unscored} not scorable` : ''})
  training                 : ${r.step} steps, ${r.imagesPerSecond.toFixed(2)} images/s this session, ${trainS.toFixed(0)} s
  checkpoint               : ${ckpt}
  evaluation               : ${evalDir}/ (roc.png, scores.csv, eval.json)
  report                   : ${report.path}
  total                    : ${(totalS / 60).toFixed(1)} min
Full test set: npx seeable eval --checkpoint ${ckpt} --real ${data}/test/real --fake ${data}/test/fake --out ${evalDir}-full`);
}

// A failure (bad data, a run folder in use, a NaN loss) is one clear line, not a stack trace.
mainJob().catch((e: Error) => {
  console.error(`[main] ${e.message}`);
  process.exitCode = 1;
});
