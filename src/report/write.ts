// Makes RUN_DIR/report.html: reads the run folder, draws the gallery (optional), renders the page
// and writes it atomically (a browser refreshing it never sees half a file).
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import { runGalleryPng } from './gallery-image.ts';
import { renderReportHtml, type GalleryPart } from './html.ts';
import { readRun, type RunData } from './run-data.ts';

export interface ReportOptions {
  out?: string;
  evalDir?: string;
  profilePath?: string;
  /** false: no gallery; otherwise faces and crop size (default 2 faces, ~256 px per type mosaic) */
  gallery?: false | { faces?: number; size?: number; data?: string; split?: string };
  log?: (s: string) => void;
}

export async function writeReport(runDir: string, o: ReportOptions = {}): Promise<{ path: string; run: RunData; bytes: number }> {
  const run = readRun(runDir, { evalDir: o.evalDir, profilePath: o.profilePath });
  let gallery: GalleryPart = null;
  if (o.gallery !== false) {
    const g = o.gallery ?? {};
    if (!run.config) gallery = { error: 'no config.json, so no grid or data folder to draw with' };
    else {
      try {
        // The classes do not depend on the crop size: draw big enough to read, ~256 px per type mosaic.
        const size = g.size ?? Math.min(128, Math.max(64, Math.round(256 / (Number(run.config.gridCols) || 4))));
        const r = await runGalleryPng({ config: run.config, faces: g.faces ?? 2, size, data: g.data, split: g.split });
        r.log.forEach((l) => o.log?.(l));
        gallery = r;
      } catch (e) {
        gallery = { error: (e as Error).message.split('\n')[0] };
      }
    }
  }
  const html = await renderReportHtml(run, { gallery });
  const path = o.out ?? join(runDir, 'report.html');
  writeFileAtomic(path, html);
  return { path, run, bytes: Buffer.byteLength(html) };
}
