// `seeable prepare`: validate the data splits (every image decoded, every landmark entry checked),
// print a summary with each skipped file and its reason, and write a small JSON manifest.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formatSkipped, readSplit, type SkippedFile } from '../io/dataset.ts';

export interface SplitSummary {
  dir: string;
  usable: number;
  /** usable faces per file-name prefix (afw, helen, lfw, …) */
  bySource: Record<string, number>;
  imageSize: { min: number; median: number; max: number };
  /** usable faces with a landmark slightly outside the image (within tolerance) */
  nearEdge: number;
  skipped: SkippedFile[];
  /** sha256 of the sorted usable file names: identifies the exact set */
  filesSha256: string;
}

export interface Manifest {
  data: string;
  decoded: boolean;
  outsideTolerance: number;
  splits: Record<string, SplitSummary>;
}

export interface PrepareOptions {
  data: string;
  split: string;
  out?: string;
  decode: boolean;
  tolerance: number;
  limit?: number;
}

function sourceOf(file: string): string {
  return /^([a-z]+)/i.exec(file)?.[1] ?? 'other';
}

export async function prepare(o: PrepareOptions, log: (s: string) => void = console.log): Promise<Manifest> {
  const manifest: Manifest = { data: resolve(o.data), decoded: o.decode, outsideTolerance: o.tolerance, splits: {} };
  const notes: string[] = [];
  for (const name of o.split.split(',').map((s) => s.trim()).filter(Boolean)) {
    const t0 = Date.now();
    const sp = await readSplit(join(o.data, name), { decode: o.decode, outsideTolerance: o.tolerance, limit: o.limit });
    const sides = sp.entries.map((e) => Math.max(e.width, e.height)).sort((a, b) => a - b);
    const bySource: Record<string, number> = {};
    for (const e of sp.entries) bySource[sourceOf(e.file)] = (bySource[sourceOf(e.file)] ?? 0) + 1;
    manifest.splits[name] = {
      dir: resolve(sp.dir),
      usable: sp.entries.length,
      bySource,
      imageSize: { min: sides[0] ?? 0, median: sides[Math.floor(sides.length / 2)] ?? 0, max: sides[sides.length - 1] ?? 0 },
      nearEdge: sp.entries.filter((e) => e.nearEdge).length,
      skipped: sp.skipped,
      filesSha256: createHash('sha256').update(sp.entries.map((e) => e.file).join('\n')).digest('hex'),
    };
    const s = manifest.splits[name];
    log(
      `${name}: ${s.usable} usable (${Object.entries(bySource).map(([k, v]) => `${k} ${v}`).join(', ')}), ` +
        `longer side ${s.imageSize.min}–${s.imageSize.max} px (median ${s.imageSize.median}), ` +
        `${s.nearEdge} with landmarks slightly outside the image, ${sp.skipped.length} skipped ` +
        `[${((Date.now() - t0) / 1000).toFixed(1)} s]`,
    );
    notes.push(formatSkipped(name, sp.skipped));
  }
  log(notes.join('\n'));
  if (o.out) {
    await writeFile(o.out, JSON.stringify(manifest, null, 2) + '\n');
    log(`wrote ${o.out}`);
  }
  return manifest;
}

export function registerPrepare(program: Command): void {
  program
    .command('prepare')
    .description('validate and summarise the face data; write a JSON manifest')
    .option('--data <dir>', 'data folder', '../shared/data')
    .option('--split <names>', 'comma-separated split folders', 'train,val')
    .option('--out <file>', 'where to write the manifest JSON')
    .option('--no-decode', 'read image headers only (faster; misses truncated files)')
    .option('--tolerance <f>', 'how far landmarks may lie outside the image, as a fraction of its longer side', parseFloat, 0.05)
    .option('--limit <n>', 'check only the first n files of each split', (v) => parseInt(v, 10))
    .action(async (opts) => {
      await prepare(opts as PrepareOptions);
    });
}
