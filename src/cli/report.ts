// `seeable report RUN_DIR`: one self-contained HTML page of a run (config, curves, ROC, score
// histograms, per-location heat maps, soft-discrepancy gallery, kernel profile). --profile N first
// times N training-size forward+backward passes of the run's network and stores profile.json.
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.ts';
import { profileCheckpoint } from '../report/profile.ts';
import { writeReport } from '../report/write.ts';

interface ReportFlags {
  out?: string;
  eval?: string;
  profile?: string;
  profileJson?: string;
  checkpoint?: string;
  gallery: boolean;
  galleryFaces: number;
  gallerySize?: number;
  galleryData?: string;
  gallerySplit?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write RUN_DIR/report.html: one self-contained page about a training run')
    .argument('<runDir>', 'a seeable train run folder')
    .option('--out <file>', 'output HTML (default RUN_DIR/report.html)')
    .option('--eval <dir>', 'evaluation folder written by seeable eval --out (default RUN_DIR/eval)')
    .option('--profile <n>', 'first profile n training-size forward+backward passes of the checkpoint (GPU timestamps) into RUN_DIR/profile.json')
    .option('--profile-json <file>', 'kernel profile to show (default RUN_DIR/profile.json)')
    .option('--checkpoint <path>', 'checkpoint to profile (default RUN_DIR/checkpoints, the latest)')
    .option('--no-gallery', 'leave out the soft-discrepancy gallery')
    .option('--gallery-faces <n>', 'faces in the gallery', (v) => parseInt(v, 10), 2)
    .option('--gallery-size <px>', 'crop size in the gallery (default: 256 px / grid columns, within 64–128)', (v) => parseInt(v, 10))
    .option('--gallery-data <dir>', 'data folder of the gallery faces (default: the run\'s valDir parent)')
    .option('--gallery-split <name>', 'split of the gallery faces (default: the run\'s valDir name)')
    .action(async (runDir: string, o: ReportFlags) => {
      let profilePath = o.profileJson;
      if (o.profile !== undefined) {
        const p = await profileCheckpoint(o.checkpoint ?? join(runDir, 'checkpoints'), Number(o.profile));
        profilePath = profilePath ?? join(runDir, 'profile.json');
        writeFileAtomic(profilePath, JSON.stringify(p, null, 2));
        console.error(`[report] profiled ${p.what}: ${p.rows.length} kernels → ${profilePath}`);
      }
      const r = await writeReport(runDir, {
        out: o.out, evalDir: o.eval, profilePath,
        gallery: o.gallery ? { faces: o.galleryFaces, size: o.gallerySize, data: o.galleryData, split: o.gallerySplit } : false,
        log: (s) => console.error(s),
      });
      const missing = Object.values(r.run.notes);
      console.log(`wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KiB)${missing.length ? `; missing: ${missing.length} piece(s), noted in the page` : ''}`);
    });
}
