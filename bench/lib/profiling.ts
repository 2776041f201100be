// GPU timestamp timing of our kernels through the engine's profiler (src/gpu/profiler.ts). The bench
// creates the device with profiling on, detaches the profiler for wall-clock timing (per-dispatch
// passes would change what is measured) and attaches it again for the timestamp pass.
import type { Gpu } from '../../src/gpu/device.ts';
import type { Profiler } from '../../src/gpu/profiler.ts';

type Mutable = { profiler: Profiler | null };
let saved: Profiler | null = null;

/** Turn per-dispatch timestamps off (wall-clock timing) or back on. */
export function setProfiling(gpu: Gpu, on: boolean): void {
  const g = gpu as unknown as Mutable;
  if (!on && g.profiler) (saved = g.profiler), (g.profiler = null);
  if (on && !g.profiler && saved) g.profiler = saved;
}

/** GPU milliseconds per call of the kernels whose label starts with `prefix`, over `reps` calls of `record`. */
export async function gpuMsPerCall(gpu: Gpu, prefix: string, reps: number, record: () => void, release: () => void): Promise<number | null> {
  setProfiling(gpu, true);
  const prof = gpu.profiler;
  if (!prof) return null;
  try {
    await gpu.sync();
    await prof.report();
    prof.reset();
    for (let i = 0; i < reps; i++) record();
    await gpu.sync();
    const rows = (await prof.report()).filter((r) => r.kernel.startsWith(prefix));
    release();
    const ms = rows.reduce((s, r) => s + r.totalMs, 0);
    return ms > 0 ? ms / reps : null;
  } finally {
    prof.reset();
    setProfiling(gpu, false);
  }
}
