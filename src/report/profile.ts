// The per-kernel GPU time profile of a run's network: N training-size forward+backward passes of
// the checkpoint's model (the SeeABLE objective on random images and labels) with the timestamp
// profiler on. Its own process only (initGpu({profile:true}) must be the first GPU init), so the
// report command runs it on request (--profile N) and stores the rows as RUN_DIR/profile.json.
import { initGpu } from '../gpu/device.ts';
import { add, mul } from '../ops/elementwise.ts';
import { rand, tensor } from '../tensor/create.ts';
import { Rng } from '../tensor/random.ts';
import { tidy } from '../tensor/scope.ts';
import { loadDetector } from '../seeable/detector.ts';
import { bcrLoss, guidanceLoss } from '../seeable/losses.ts';
import type { ProfileFile } from './run-data.ts';

export async function profileCheckpoint(checkpoint: string, passes: number): Promise<ProfileFile> {
  if (!(passes >= 1)) throw new Error(`--profile needs a number of passes ≥ 1, got ${passes}`);
  const gpu = await initGpu({ profile: true });
  const prof = gpu.profiler;
  if (!prof) throw new Error('the GPU was initialised without profiling (initGpu({profile:true}) must come first)');
  const { cfg, parts } = loadDetector(checkpoint);
  const B = 2 * cfg.batchFaces;
  const S = cfg.size;
  const rng = new Rng(cfg.seed + 99);
  const x = rand([B, 3, S, S], { rng });
  // Two views per class, as a training batch has.
  const y = tensor(Int32Array.from({ length: B }, (_, i) => (Math.floor(i / 2) * 7 + 3) % parts.K), [B], 'i32');
  parts.net.train();
  const pass = () => {
    const loss = tidy(() => {
      const { z } = parts.net.embed(x);
      const bcr = bcrLoss(z, y, parts.prototypes, { tau: cfg.tau, form: cfg.bcrForm });
      return cfg.lambda === 0 ? bcr : add(bcr, mul(guidanceLoss(z, y, parts.prototypes, parts.gtable), cfg.lambda));
    });
    loss.backward();
    loss.dispose();
    parts.net.zeroGrad();
  };
  pass(); // warm-up: pipeline compilation and first allocations are not the steady state
  await gpu.sync();
  await prof.report();
  prof.reset();
  for (let i = 0; i < passes; i++) pass();
  await gpu.sync();
  const rows = await prof.report();
  x.dispose();
  y.dispose();
  return {
    what: `${passes} × forward+backward (SeeABLE objective) of ${cfg.backbone} at ${S}², batch ${B} (${cfg.batchFaces} faces × 2 views)`,
    passes, rows, device: `${gpu.adapter.description || gpu.adapter.device}${gpu.adapter.isSoftware ? ' (software adapter)' : ''}`,
    createdAt: new Date().toISOString(),
  };
}
