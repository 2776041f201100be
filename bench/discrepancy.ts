// Soft-discrepancy generator throughput: discrepancies per second for one face × all K = 32 classes
// (4×4 grid × {spatial, frequency}), crop + plans + soft masks on the CPU, rendering on the GPU
// (src/seeable/gpu-render.ts) — "ours" — against the whole pipeline on the CPU reference renderer —
// "peer" (our own JS; there is no TF.js counterpart of this pipeline). Cases at 128² and 256², with and
// without the post-augmentation (colour + JPEG through sharp). Batches alternate (ours, peer, …) so
// load from other processes hits both alike. Run: npm run bench -- discrepancy [--quick]
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { decodeImage, jpegRoundTrip } from '../src/io/images.ts';
import { prepareFace } from '../src/seeable/crop.ts';
import { cpuRenderer, defaultSdConfig, makeDiscrepancies, numClasses, type SdRenderer } from '../src/seeable/discrepancy.ts';
import { gpuRenderer } from '../src/seeable/gpu-render.ts';
import type { RgbImage } from '../src/seeable/image.ts';
import { parseLandmarks68, type Landmarks } from '../src/seeable/landmarks.ts';
import { applyPostAug, samplePostAug } from '../src/seeable/post-augment.ts';
import { Rng } from '../src/tensor/random.ts';
import type { Bench, BenchCase } from './lib/types.ts';

const DATA = join(import.meta.dirname, '..', '..', 'shared', 'data', 'val');
const FACE = 'lfw_real_1885.jpg';

async function loadFace(): Promise<{ img: RgbImage; lm: Landmarks; source: string }> {
  if (existsSync(join(DATA, FACE))) {
    const table = JSON.parse(readFileSync(join(DATA, 'landmarks.json'), 'utf8'));
    return { img: await decodeImage(join(DATA, FACE)), lm: parseLandmarks68(table[FACE]), source: `val/${FACE}` };
  }
  const { faceLandmarks, texturedImage } = await import('../test/seeable/fixtures.ts');
  return { img: texturedImage(250, 250, 1), lm: faceLandmarks(70, 80, 110, 120), source: 'synthetic 250×250' };
}

/** One batch: a training crop of the face and one discrepancy per class; returns seconds. */
async function batch(img: RgbImage, lm: Landmarks, size: number, renderer: SdRenderer, rng: Rng, post: boolean, split: number[]) {
  const cfg = defaultSdConfig();
  const labels = Array.from({ length: numClasses(cfg) }, (_, k) => k);
  const t0 = performance.now();
  const face = prepareFace(img, lm, { size, phase: 'train', rng });
  const sds = await makeDiscrepancies(face, labels, rng, cfg, renderer);
  const t1 = performance.now();
  if (post) for (const sd of sds) await applyPostAug(sd.image, samplePostAug(rng), jpegRoundTrip);
  const t2 = performance.now();
  split[0] += t1 - t0;
  split[1] += t2 - t1;
  return { seconds: (t2 - t0) / 1000, n: labels.length };
}

export const bench: Bench = {
  description: 'soft discrepancies per second (one face × 32 classes per batch; ours: GPU render, peer: CPU reference)',
  unit: 'SD/s',
  async run(ctx) {
    const { img, lm, source } = await loadFace();
    ctx.log(`face: ${source}`);
    const cases: BenchCase[] = [];
    const batches = ctx.quick ? 2 : 4;
    for (const size of [128, 256]) {
      for (const post of [false, true]) {
        const rates: Record<string, number[]> = { gpu: [], cpu: [] };
        const splits: Record<string, number[]> = { gpu: [0, 0], cpu: [0, 0] };
        await batch(img, lm, size, gpuRenderer, new Rng(0), false, [0, 0]); // warm-up: pipelines, JIT
        for (let b = 0; b < batches; b++) {
          for (const [name, r] of [['gpu', gpuRenderer], ['cpu', cpuRenderer]] as const) {
            const { seconds, n } = await batch(img, lm, size, r, new Rng(b + 1), post, splits[name]);
            rates[name].push(n / seconds);
          }
        }
        const best = (xs: number[]) => Math.max(...xs);
        const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
        const ours = best(rates.gpu);
        const peer = best(rates.cpu);
        const perSd = (s: number[]) => s.map((v) => Math.round((v / (batches * 32)) * 100) / 100);
        cases.push({
          case: `${size}² × 32 classes${post ? ' + post-aug (JPEG)' : ''}`,
          ours, peer, peerName: 'CPU reference renderer (JS)', ratio: ours / peer,
          oursMedian: median(rates.gpu), peerMedian: median(rates.cpu),
          msPerSdOurs: { generate: perSd(splits.gpu)[0], postAug: perSd(splits.gpu)[1] },
          msPerSdPeer: { generate: perSd(splits.cpu)[0], postAug: perSd(splits.cpu)[1] },
          batches,
          // other processes share the 2 cores: the 1-minute load average at the end of the case
          load1: Math.round(loadavg()[0] * 10) / 10,
        });
        ctx.log(`${size}² post=${post}: gpu ${ours.toFixed(1)} SD/s, cpu ${peer.toFixed(1)} SD/s`);
      }
    }
    return cases;
  },
};
