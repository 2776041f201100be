// The soft-discrepancy gallery of a run: `seeable gallery`'s picture (every location × type class
// with the location outline in yellow and the soft mask's in cyan) for a few validation faces,
// drawn with the run's own grid and type set, returned as PNG bytes for the report to inline.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { renderGallery } from '../cli/gallery.ts';

export interface GalleryRequest {
  config: Record<string, unknown>;
  faces: number;
  size: number;
  seed?: number;
  /** data folder and split; default: the run's validation folder */
  data?: string;
  split?: string;
}

export async function runGalleryPng(r: GalleryRequest): Promise<{ png: Uint8Array; caption: string; log: string[] }> {
  const c = r.config;
  const valDir = typeof c.valDir === 'string' ? c.valDir : null;
  const data = r.data ?? (valDir ? dirname(valDir) : null);
  const split = r.split ?? (valDir ? basename(valDir) : 'val');
  if (!data) throw new Error('the config names no validation folder (valDir); pass --gallery-data');
  const rows = Number(c.gridRows ?? 4);
  const cols = Number(c.gridCols ?? 4);
  const types = c.types === 'ext4' ? 'ext4' : 'sbi2';
  const tmp = mkdtempSync(join(tmpdir(), 'seeable-report-'));
  const log: string[] = [];
  try {
    const png = await renderGallery(
      {
        data, split, out: join(tmp, 'gallery.png'), faces: r.faces, seed: r.seed ?? 0, size: r.size,
        scheme: `grid${rows}x${cols}`, types, post: false, gain: 8, palette: true, renderer: 'cpu',
      },
      (s) => log.push(s),
    );
    const caption = `${r.faces} face(s) of ${join(data, split)} at ${r.size}², grid ${rows}×${cols}, types ${types}: ` +
      'each class with its location outlined in yellow and the soft mask in cyan; below, |X − target| × 8.';
    return { png, caption, log };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
