// `seeable score IMAGE|DIR`: one JSON line per face with its anomaly score, the decision at the
// calibrated threshold and the per-location breakdown (row-major over the grid).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { initGpu } from '../gpu/device.ts';
import { fileKey, loadDetector, scoreImage } from '../seeable/detector.ts';
import { SCORE_VARIANTS, type ScoreVariant } from '../seeable/score.ts';

export function listImages(target: string): string[] {
  let st;
  try {
    st = statSync(target);
  } catch {
    throw new Error(`${target}: no such file or folder`);
  }
  if (!st.isDirectory()) return [target];
  return readdirSync(target).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => join(target, f));
}

export function registerScore(program: Command): void {
  program
    .command('score')
    .argument('<target>', 'an image or a folder of images (landmarks from the folder\'s landmarks.json, else our face detector)')
    .description('score faces: higher = more likely fake')
    .option('--checkpoint <path>', 'a checkpoint JSON, a checkpoints folder (its latest) or a run folder (its best)', 'runs/main')
    .addOption(new Option('--variant <name>', 'score variant (default: the checkpoint\'s; pristine-margin needs a pristine-class model)').choices(SCORE_VARIANTS))
    .option('--detect', 'find faces and landmarks with our detector even when landmarks.json has them')
    .action(async (target: string, o: { checkpoint: string; variant?: ScoreVariant; detect?: boolean }) => {
      await initGpu();
      const det = loadDetector(o.checkpoint, o.variant ? { scoreVariant: o.variant } : {});
      let failed = 0;
      for (const path of listImages(target)) {
        const r = await scoreImage(det, path, fileKey(path.split('/').pop()!), { detect: o.detect ? 'always' : 'auto' });
        if (r.error) failed++;
        console.log(JSON.stringify({
          file: r.path, score: r.score, fake: r.fake, threshold: det.threshold, perLocation: r.perLocation,
          landmarks: r.landmarks, faces: r.faces, ...(r.error ? { error: r.error } : {}),
        }));
      }
      if (failed) console.error(`seeable score: ${failed} image(s) could not be scored (see "error")`);
    });
}
