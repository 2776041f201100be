// SeeABLE training loop: images/s of src/seeable/train.ts itself on ../shared/data — batch drawing
// (crops, soft masks, GPU rendering), the step, the loss readback — for the quick preset at 8 and 16
// faces a step, with the next batch drawn while the GPU runs the step (the trainer's default) and
// without (draw, then step). bench/seeable-step.ts times the step alone on random inputs. No peer:
// TF.js has no SeeABLE. A run's rate is the median over its steps after the first few (validation
// excluded); the two modes alternate, two runs each (one with --quick), and each mode's best run counts.
//   npm run bench -- seeable-train [--quick]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resolveConfig } from '../src/seeable/config.ts';
import { trainSeeable } from '../src/seeable/train.ts';
import type { Bench, BenchCase } from './lib/types.ts';

const data = resolve(import.meta.dirname, '..', '..', 'shared', 'data');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export const bench: Bench = {
  description: 'SeeABLE training loop on ../shared/data (quick preset: batch drawing + step + readback), images/s',
  unit: 'images/s',
  async run(ctx) {
    const steps = ctx.quick ? 12 : 24;
    const warm = 4; // pipelines, pooled buffers, the image cache's first decodes
    const rows: BenchCase[] = [];
    for (const batchFaces of [8, 16]) {
      const rates: Record<string, number> = { on: 0, off: 0 };
      // alternate on, off, on, off: load from other processes hits both alike; the best median counts
      for (const prefetch of Array.from({ length: ctx.quick ? 2 : 4 }, (_, i) => i % 2 === 0)) {
        const dir = mkdtempSync(join(tmpdir(), 'seeable-train-bench-'));
        try {
          // validation only at the (excluded) last step; no checkpoints in between
          const cfg = resolveConfig('quick', {
            trainDir: join(data, 'train'), valDir: join(data, 'val'), batchFaces, steps: steps + 1,
            valEvery: steps + 1, ckptEvery: steps + 1, logEvery: steps + 1, valFaces: 2, bnRecalibration: 1,
          });
          await trainSeeable({ cfg, runDir: dir, log: () => {}, prefetch });
          const m = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l))
            .filter((r) => typeof r.imagesPerSecond === 'number' && r.step > warm && r.step <= steps);
          const key = prefetch ? 'on' : 'off';
          rates[key] = Math.max(rates[key], median(m.map((r) => r.imagesPerSecond as number)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      ctx.log(`${batchFaces} faces × 2 views: ${rates.on.toFixed(2)} images/s drawing ahead, ${rates.off.toFixed(2)} without (${(rates.on / rates.off).toFixed(2)}×)`);
      rows.push({
        case: `quick preset loop, ${batchFaces} faces × 2 views: drawing ahead vs not`,
        ours: rates.on, peer: rates.off, peerName: 'the same loop without drawing ahead', ratio: rates.on / rates.off,
        steps, warmSteps: warm,
      });
    }
    return rows;
  },
};
