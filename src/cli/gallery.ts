// `seeable gallery`: one PNG showing, for a few faces, every class (each location × each type) with
// the location's outline (yellow) and the soft mask's outline (cyan), and below each mosaic the
// amplified discrepancy |X − target|, so one picture shows where the cells are and that every
// perturbation is subtle but present.
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import sharp from 'sharp';
import { readSplit, formatSkipped, type FaceEntry } from '../io/dataset.ts';
import { decodeImage, jpegRoundTrip, type RgbImage } from '../io/images.ts';
import { prepareFace } from '../seeable/crop.ts';
import {
  classOf, cpuRenderer, defaultSdConfig, makeDiscrepancies, numTypes, type SdConfig, type SdRenderer,
} from '../seeable/discrepancy.ts';
import { gpuRenderer } from '../seeable/gpu-render.ts';
import { initGpu } from '../gpu/device.ts';
import { applyStepsCpu, TYPE_NAMES, type TypeSet } from '../seeable/alterations.ts';
import { locationScheme } from '../seeable/locations.ts';
import { applyPostAug, samplePostAug } from '../seeable/post-augment.ts';
import { Rng } from '../tensor/random.ts';
import { Canvas } from './canvas.ts';

export interface GalleryOptions {
  data: string;
  split: string;
  out: string;
  faces: number;
  seed: number;
  size: number;
  scheme: string;
  types: TypeSet;
  post: boolean;
  /** gain of the difference view */
  gain: number;
  palette: boolean;
  /** render on the CPU reference or on the GPU image ops */
  renderer: 'cpu' | 'gpu';
}

const YELLOW = [255, 220, 0];
const CYAN = [0, 220, 255];
const LABEL_H = 30;

export async function renderGallery(o: GalleryOptions, log: (s: string) => void = console.log): Promise<Uint8Array> {
  const split = await readSplit(`${o.data}/${o.split}`, { decode: false });
  if (split.skipped.length) log(formatSkipped(o.split, split.skipped));
  if (split.entries.length === 0) throw new Error(`no usable face in ${o.data}/${o.split}`);
  const rng = new Rng(o.seed);
  // Headers were checked; decode candidates in a seeded order until enough faces decode.
  const picks: { entry: FaceEntry; image: RgbImage }[] = [];
  for (const entry of rng.shuffle([...split.entries])) {
    if (picks.length === o.faces) break;
    try {
      picks.push({ entry, image: await decodeImage(entry.path) });
    } catch (e) {
      log(`skipped ${entry.file}: unreadable image: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (picks.length === 0) throw new Error(`no face of ${o.data}/${o.split} could be decoded`);
  let renderer: SdRenderer = cpuRenderer;
  if (o.renderer === 'gpu') {
    await import('../gpu/node.ts');
    await initGpu({ log });
    renderer = gpuRenderer;
  }
  const cfg: SdConfig = { ...defaultSdConfig(), scheme: locationScheme(o.scheme), types: o.types };
  const nT = numTypes(cfg);
  const nL = cfg.scheme.count;
  const mc = /^grid/.test(cfg.scheme.name) ? Number(/x(\d+)$/.exec(cfg.scheme.name)![1]) : Math.ceil(Math.sqrt(nL));
  const mr = Math.ceil(nL / mc);
  const S = o.size;
  const gap = Math.max(2, Math.round(S / 32));
  // Per face: [original | type mosaics] over [all cells | difference mosaics].
  const blockW = (1 + nT * mc) * S + nT * gap * 2;
  const blockH = LABEL_H + 2 * mr * S + gap;
  const canvas = new Canvas(blockW, picks.length * (blockH + gap));
  const labels: { x: number; y: number; text: string }[] = [];

  for (let f = 0; f < picks.length; f++) {
    const { entry, image } = picks[f];
    const face = prepareFace(image, entry.landmarks, { size: S, phase: 'test' });
    const classes: number[] = [];
    for (let t = 0; t < nT; t++) for (let l = 0; l < nL; l++) classes.push(classOf(l, t, nT));
    const sds = await makeDiscrepancies({ ...face, size: S }, classes, rng, cfg, renderer);
    const y0 = f * (blockH + gap);
    // The note on the lower rows rides on the face's line: a type's label must fit its columns (two at 64 px).
    labels.push({ x: 2, y: y0 + 13, text: `${entry.file}  (${cfg.scheme.name}, seed ${o.seed}; lower rows: |X − target| × ${o.gain})` });
    canvas.drawChw(face.image, 0, y0 + LABEL_H);
    const all = new Uint8Array(S * S);
    const locs = cfg.scheme.masks(face.landmarks, S, S);
    canvas.drawChw(face.image, 0, y0 + LABEL_H + mr * S);
    locs.masks.forEach((m) => canvas.outline(m, S, 0, y0 + LABEL_H + mr * S, YELLOW));
    locs.masks.forEach((m) => m.forEach((v, i) => (all[i] |= v)));
    for (let i = 0; i < sds.length; i++) {
      const sd = sds[i];
      let img = sd.image;
      if (o.post) img = await applyPostAug(img, samplePostAug(rng), jpegRoundTrip);
      const col = sd.plan.type * (mc * S + 2 * gap) + S + 2 * gap + (sd.plan.loc % mc) * S;
      const row = Math.floor(sd.plan.loc / mc) * S;
      const yTop = y0 + LABEL_H + row;
      canvas.drawChw(img, col, yTop);
      canvas.outline(sd.location, S, col, yTop, YELLOW);
      const soft = sd.mask.map((v) => (v > 0.1 * sd.plan.mask.ratio ? 1 : 0));
      canvas.outline(Uint8Array.from(soft), S, col, yTop, CYAN);
      // The discrepancy itself: |X − target| = M·|warp(source) − target|, whichever side was altered.
      const target = sd.plan.swap ? applyStepsCpu(face.image, sd.plan.steps) : face.image;
      canvas.drawDiff(img, target, o.gain, col, yTop + mr * S);
      canvas.outline(sd.location, S, col, yTop + mr * S, YELLOW);
    }
    for (let t = 0; t < nT; t++) {
      const x = t * (mc * S + 2 * gap) + S + 2 * gap;
      labels.push({ x: x + 2, y: y0 + 27, text: `type ${t}: ${TYPE_NAMES[o.types][t]}` });
    }
  }
  const svg = Buffer.from(
    `<svg width="${canvas.width}" height="${canvas.height}" xmlns="http://www.w3.org/2000/svg">` +
      labels.map((l) => `<text x="${l.x}" y="${l.y}" font-family="sans-serif" font-size="12" fill="white">${escapeXml(l.text)}</text>`).join('') +
      '</svg>',
  );
  const png = await sharp(canvas.data, { raw: { width: canvas.width, height: canvas.height, channels: 3 } })
    .composite([{ input: svg, top: 0, left: 0 }])
    .png({ compressionLevel: 9, palette: o.palette })
    .toBuffer();
  await writeFile(o.out, png);
  log(`wrote ${o.out}: ${picks.length} faces × ${nL * nT} classes, ${canvas.width}×${canvas.height}, ${(png.length / 1024).toFixed(0)} KiB`);
  return new Uint8Array(png);
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

export function registerGallery(program: Command): void {
  program
    .command('gallery')
    .description('render every soft-discrepancy class for a few faces into one PNG')
    .requiredOption('--out <file>', 'output PNG')
    .option('--data <dir>', 'data folder', '../shared/data')
    .option('--split <name>', 'split to draw faces from', 'val')
    .option('--faces <n>', 'number of faces', (v) => parseInt(v, 10), 3)
    .option('--seed <n>', 'random seed', (v) => parseInt(v, 10), 0)
    .option('--size <px>', 'crop size', (v) => parseInt(v, 10), 256)
    .option('--scheme <name>', 'location scheme: grid, gridRxC, whole, dfl, components', 'grid')
    .option('--types <set>', 'type set: sbi2 (spatial, frequency) or ext4', 'sbi2')
    .option('--post', 'apply the post-augmentation (colour, JPEG) too', false)
    .option('--gain <x>', 'amplification of the difference view', (v) => parseFloat(v), 8)
    .option('--palette', 'write a palette PNG (smaller file)', false)
    .option('--renderer <where>', 'cpu (reference) or gpu (the engine image ops)', 'cpu')
    .action(async (opts) => {
      if (opts.types !== 'sbi2' && opts.types !== 'ext4') throw new Error(`--types must be sbi2 or ext4, got ${opts.types}`);
      if (opts.renderer !== 'cpu' && opts.renderer !== 'gpu') throw new Error(`--renderer must be cpu or gpu, got ${opts.renderer}`);
      await renderGallery(opts as GalleryOptions);
    });
}
