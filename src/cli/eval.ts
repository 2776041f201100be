// `seeable eval`: ROC-AUC, average precision and EER of a checkpoint on a real and a fake folder;
// writes the ROC curve (PNG and SVG) and the scores (CSV). Unscorable images are listed, not dropped.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Option, type Command } from 'commander';
import { initGpu } from '../gpu/device.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { renderSvg, rocSpec } from '../report/plots.ts';
import { fileKey, loadDetector, scoreImage, type Detector, type ImageResult } from '../seeable/detector.ts';
import { averagePrecision, equalErrorRate, rocAuc, rocCurve } from '../seeable/metrics.ts';
import { SCORE_VARIANTS, type ScoreVariant } from '../seeable/score.ts';
import { countProgress } from './count-progress.ts';
import { listImages } from './score.ts';

export interface EvalSummary {
  auc: number;
  ap: number;
  eer: number;
  eerThreshold: number;
  counts: { real: number; fake: number; unscored: number };
  unscored: string[];
  checkpoint: string;
  out: string | null;
}

function pick(files: string[], limit: number | undefined): string[] {
  if (!limit || files.length <= limit) return files;
  // Evenly spaced, so a limited run still spans the folder.
  return Array.from({ length: limit }, (_, i) => files[Math.floor((i * files.length) / limit)]);
}

export async function evaluate(det: Detector, realDir: string, fakeDir: string, opts: { limit?: number; out?: string; progress?: (done: number, total: number) => void } = {}): Promise<EvalSummary> {
  const sets = { real: pick(listImages(realDir), opts.limit), fake: pick(listImages(fakeDir), opts.limit) };
  const total = sets.real.length + sets.fake.length;
  const results: Record<'real' | 'fake', ImageResult[]> = { real: [], fake: [] };
  let done = 0;
  for (const side of ['real', 'fake'] as const) {
    for (const path of sets[side]) {
      results[side].push(await scoreImage(det, path, fileKey(path.split('/').pop()!)));
      opts.progress?.(++done, total);
    }
  }
  const scores = (side: 'real' | 'fake') => results[side].filter((r) => r.score !== null).map((r) => r.score as number);
  const real = scores('real');
  const fake = scores('fake');
  const unscored = [...results.real, ...results.fake].filter((r) => r.error).map((r) => r.error!);
  const auc = rocAuc(real, fake);
  const { eer, threshold } = equalErrorRate(real, fake);
  const summary: EvalSummary = {
    auc, ap: averagePrecision(real, fake), eer, eerThreshold: threshold,
    counts: { real: real.length, fake: fake.length, unscored: unscored.length }, unscored, checkpoint: det.checkpoint, out: opts.out ?? null,
  };
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    // loc_i: the per-location score (grid cell i, row-major), for the report's heat maps.
    const nLoc = det.cfg.gridRows * det.cfg.gridCols;
    const csv = [['file,label,score,fake_at_threshold', ...Array.from({ length: nLoc }, (_, i) => `loc_${i}`)].join(',')];
    for (const side of ['real', 'fake'] as const) {
      for (const r of results[side]) csv.push(`${r.path},${side},${r.score ?? ''},${r.fake ?? ''},${(r.perLocation ?? Array(nLoc).fill('')).join(',')}`);
    }
    writeFileAtomic(join(opts.out, 'scores.csv'), csv.join('\n') + '\n');
    const svg = await renderSvg(rocSpec([{ label: 'SeeABLE', points: rocCurve(real, fake), auc }], `ROC on ${fakeDir} vs ${realDir}`));
    writeFileAtomic(join(opts.out, 'roc.svg'), svg);
    writeFileAtomic(join(opts.out, 'roc.png'), new Uint8Array(await sharp(Buffer.from(svg)).png().toBuffer()));
    writeFileAtomic(join(opts.out, 'eval.json'), JSON.stringify(summary, null, 2));
  }
  return summary;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('ROC-AUC, AP and EER of a checkpoint on real vs fake faces')
    .option('--checkpoint <path>', 'a checkpoint JSON, a checkpoints folder (its latest) or a run folder (its best)', 'runs/main')
    .requiredOption('--real <dir>', 'folder of real faces (with landmarks.json)')
    .requiredOption('--fake <dir>', 'folder of fake faces (with landmarks.json)')
    .option('--out <dir>', 'write roc.png, roc.svg, scores.csv and eval.json here')
    .option('--limit <n>', 'score at most n images of each folder (evenly spaced)')
    .option('--json', 'print one JSON object instead of text')
    .addOption(new Option('--variant <name>', 'score variant (default: the checkpoint\'s, chosen on the one-class validation)').choices(SCORE_VARIANTS))
    .action(async (o: { checkpoint: string; real: string; fake: string; out?: string; limit?: string; json?: boolean; variant?: ScoreVariant }) => {
      await initGpu();
      const det = loadDetector(o.checkpoint, o.variant ? { scoreVariant: o.variant } : {});
      const s = await evaluate(det, o.real, o.fake, {
        limit: o.limit ? Number(o.limit) : undefined, out: o.out,
        progress: countProgress('[eval]', 'images'),
      });
      if (o.json) {
        console.log(JSON.stringify(s));
      } else {
        console.log(`ROC-AUC ${s.auc.toFixed(4)}  AP ${s.ap.toFixed(4)}  EER ${s.eer.toFixed(4)}  (${s.counts.real} real, ${s.counts.fake} fake)`);
        if (s.unscored.length) console.log(`not scored (${s.unscored.length}):\n  ${s.unscored.join('\n  ')}`);
        if (o.out) console.log(`wrote ${join(o.out, 'roc.png')}, scores.csv, eval.json`);
      }
    });
}
