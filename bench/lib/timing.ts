// Wall-clock timing of batched GPU work: warm up, then batches of repetitions, one submit per batch,
// waiting for the queue to drain through gpu.sync(), whose wait does not spin a core lavapipe computes
// on (src/gpu/node.ts); ours and the peer are waited for the same way.

import { workerCpuNs } from './cputime.ts';

export interface Timing {
  /** milliseconds per repetition: the best batch, and the median batch */
  bestMs: number;
  medianMs: number;
  reps: number;
  batches: number;
  /** worker-thread CPU milliseconds per repetition (best and median batch); null without /proc */
  bestCpuMs: number | null;
  medianCpuMs: number | null;
}

export interface TimedWork {
  /** record one repetition (no submit) */
  record(): void;
  /** submit what was recorded and release the batch's outputs once done */
  submit(): void;
  /** resolves when the device has finished everything submitted */
  drained(): Promise<void>;
  /** free the outputs of the batch (after drained) */
  release(): void;
}

/** Time `work`: batches of `reps` repetitions sized so that a batch takes about `targetMs`. */
export async function timeBatches(work: TimedWork, opts: { targetMs?: number; batches?: number; maxReps?: number } = {}): Promise<Timing> {
  return (await timeInterleaved([work], opts))[0];
}

/**
 * Time several works (ours, the peer) with their batches interleaved — A B A B … — so that load from
 * other processes on a shared machine hits each side alike. A batch is sized to take about
 * `targetMs`; the result per work is its best and median batch, per repetition.
 */
export async function timeInterleaved(works: TimedWork[], opts: { targetMs?: number; batches?: number; maxReps?: number } = {}): Promise<Timing[]> {
  const targetMs = opts.targetMs ?? 400;
  const batches = opts.batches ?? 5;
  let cpuDelta: number | null = null;
  const runBatch = async (work: TimedWork, reps: number) => {
    const c0 = workerCpuNs();
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) work.record();
    work.submit();
    await work.drained();
    const dt = performance.now() - t0;
    const c1 = workerCpuNs();
    cpuDelta = c0 === null || c1 === null ? null : (c1 - c0) / 1e6;
    work.release();
    return dt;
  };
  const state = [];
  for (const w of works) {
    await runBatch(w, 1); // pipelines, uploads, first-touch allocations
    const once = await runBatch(w, 1);
    const reps = Math.max(1, Math.min(opts.maxReps ?? 64, Math.round(targetMs / Math.max(once, 0.01))));
    state.push({ reps, per: [] as number[], cpu: [] as number[] });
  }
  for (let b = 0; b < batches; b++) {
    for (let i = 0; i < works.length; i++) {
      const s = state[i];
      const dt = await runBatch(works[i], s.reps);
      s.per.push(dt / s.reps);
      if (cpuDelta !== null) s.cpu.push(cpuDelta / s.reps);
    }
  }
  return state.map((s) => {
    s.per.sort((x, y) => x - y);
    s.cpu.sort((x, y) => x - y);
    const cpu = s.cpu.length === batches;
    return {
      bestMs: s.per[0],
      medianMs: s.per[Math.floor(s.per.length / 2)],
      reps: s.reps,
      batches,
      bestCpuMs: cpu ? s.cpu[0] : null,
      medianCpuMs: cpu ? s.cpu[Math.floor(batches / 2)] : null,
    };
  });
}
