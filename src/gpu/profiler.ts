// GPU timestamp profiler: every dispatch gets its own compute pass with begin/end timestamps,
// resolved at each submit and read back lazily. Turned on by initGpu({profile}) or SEEABLE_PROFILE=1.

import { getPlatform } from './platform.ts';

const QUERY_RESOLVE = 0x200;
const COPY_SRC = 0x4;
const COPY_DST = 0x8;
const MAP_READ = 0x1;
const CAPACITY = 4096; // timestamps per submit (2 per dispatch)

export interface KernelTime {
  kernel: string;
  calls: number;
  totalMs: number;
}

export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuf: GPUBuffer;
  private labels: string[] = [];
  private pendingRead: { buf: GPUBuffer; labels: string[] } | null = null;
  private readonly reads: Promise<void>[] = [];
  private readonly totals = new Map<string, { calls: number; ns: number }>();

  constructor(private readonly device: GPUDevice) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: CAPACITY });
    this.resolveBuf = device.createBuffer({ size: CAPACITY * 8, usage: QUERY_RESOLVE | COPY_SRC });
  }

  /** Timestamp writes for the next pass; a full query set wraps (earlier ones were resolved at flush). */
  next(label: string): GPUComputePassTimestampWrites | undefined {
    if (this.labels.length * 2 + 2 > CAPACITY) return undefined;
    const i = this.labels.length * 2;
    this.labels.push(label);
    return { querySet: this.querySet, beginningOfPassWriteIndex: i, endOfPassWriteIndex: i + 1 };
  }

  resolve(encoder: GPUCommandEncoder): void {
    if (!this.labels.length) return;
    const n = this.labels.length * 2;
    const buf = this.device.createBuffer({ size: n * 8, usage: MAP_READ | COPY_DST });
    encoder.resolveQuerySet(this.querySet, 0, n, this.resolveBuf, 0);
    encoder.copyBufferToBuffer(this.resolveBuf, 0, buf, 0, n * 8);
    this.pendingRead = { buf, labels: this.labels };
    this.labels = [];
  }

  afterSubmit(): void {
    const r = this.pendingRead;
    if (!r) return;
    this.pendingRead = null;
    this.reads.push(
      r.buf.mapAsync(MAP_READ).then(() => {
        const t = new BigInt64Array(r.buf.getMappedRange());
        r.labels.forEach((label, i) => {
          const ns = Number(t[2 * i + 1] - t[2 * i]);
          const e = this.totals.get(label) ?? { calls: 0, ns: 0 };
          e.calls++;
          e.ns += Math.max(0, ns);
          this.totals.set(label, e);
        });
        r.buf.unmap();
        r.buf.destroy();
      }),
    );
  }

  /** Per-kernel GPU time since the last reset, slowest first. Call after the work was flushed. */
  async report(): Promise<KernelTime[]> {
    await getPlatform().settle(Promise.all(this.reads.splice(0)));
    return [...this.totals.entries()]
      .map(([kernel, e]) => ({ kernel, calls: e.calls, totalMs: e.ns / 1e6 }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  reset(): void {
    this.totals.clear();
  }
}

export function formatProfile(rows: KernelTime[], top = 20): string {
  const total = rows.reduce((s, r) => s + r.totalMs, 0);
  const lines = rows.slice(0, top).map(
    (r) =>
      `${r.kernel.padEnd(44)} ${String(r.calls).padStart(7)} ${r.totalMs.toFixed(3).padStart(11)} ms ` +
      `${((100 * r.totalMs) / (total || 1)).toFixed(1).padStart(5)} %`,
  );
  return [`${'kernel'.padEnd(44)} ${'calls'.padStart(7)} ${'GPU time'.padStart(14)} ${'share'.padStart(7)}`, ...lines].join('\n');
}
