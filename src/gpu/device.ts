// The engine's GPU: one device, one command encoder per step, cached pipelines and bind groups,
// a per-submit uniform ring for kernel params, and a buffer pool. Ops call dispatch(); work is
// submitted only at flush() (readbacks, uploads, or a full uniform ring).
import { defineKernel, grid1d, packParams, paramBytes, type Kernel } from './kernel.ts';
import { getPlatform } from './platform.ts';
import { BufferPool } from './pool.ts';
import { Profiler } from './profiler.ts';

const MAP_READ = 0x1;
const COPY_DST = 0x8;
const COPY_SRC = 0x4;
/** Uploads up to this size ride in the pending encoder through a staging buffer. */
const STAGED_UPLOAD_MAX = 1 << 20;
const UNIFORM = 0x40;
const STAGE_COMPUTE = 0x4;
const RING_BYTES = 1 << 20;
const POISON_KERNEL = defineKernel({
  file: 'fill', entry: 'fill', params: [['n', 'u32'], ['bits', 'u32']], reads: 0, writes: 1, workgroupSize: 256,
});

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isSoftware: boolean;
  /** The shader compiler takes minutes on some unrolled entry points (SwiftShader, headless Chromium's
   *  adapter: the depthwise forward's 8-wide scalar-row tile 2–4 min, the 4-wide one < 0.2 s; lavapipe
   *  compiles both in < 30 ms). Ops with such variants pick their smaller ones (depthwise.ts forwardTile). */
  slowShaderCompile: boolean;
  features: string[];
}

export interface InitOptions {
  /** Ask for timestamp queries and time every dispatch (also SEEABLE_PROFILE=1). */
  profile?: boolean;
  /** Where to print the adapter line; default stderr. Pass null to stay quiet. */
  log?: ((line: string) => void) | null;
  powerPreference?: GPUPowerPreference;
}

interface CachedPipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  paramSize: number;
  id: number;
}

function envFlag(name: string): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const v = env?.[name];
  return v !== undefined && v !== '' && v !== '0';
}

export class Gpu {
  readonly pool: BufferPool;
  readonly profiler: Profiler | null;
  readonly limits: GPUSupportedLimits;
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private readonly ring: GPUBuffer;
  private readonly ringHost = new ArrayBuffer(RING_BYTES);
  private readonly ringView = new DataView(this.ringHost);
  private ringUsed = 0;
  private readonly ringAlign: number;
  private readonly modules = new Map<string, GPUShaderModule>();
  private readonly pipelines = new Map<string, CachedPipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  private readonly staging: GPUBuffer[] = [];
  private readonly uploads: GPUBuffer[] = [];
  private lostMessage: string | null = null;
  private readonly errors: string[] = [];
  /** Fill every new tensor with NaN so that an element a kernel forgets to write fails its test
   *  (on in the test harness, or with SEEABLE_POISON=1). */
  poison = envFlag('SEEABLE_POISON');
  /** Dispatches since creation; handy for overhead accounting in benches. */
  dispatches = 0;
  submits = 0;

  constructor(readonly device: GPUDevice, readonly adapter: AdapterSummary, profile: boolean) {
    this.limits = device.limits;
    this.pool = new BufferPool(device, device.limits.maxBufferSize);
    this.ringAlign = Math.max(16, device.limits.minUniformBufferOffsetAlignment);
    this.ring = device.createBuffer({ size: RING_BYTES, usage: UNIFORM | COPY_DST, label: 'uniform-ring' });
    this.profiler = profile ? new Profiler(device) : null;
    device.lost.then((info) => {
      this.lostMessage = `${info.reason}: ${info.message}`;
    });
    device.addEventListener('uncapturederror', (ev) => {
      this.errors.push((ev as GPUUncapturedErrorEvent).error.message);
    });
  }

  get hasF16(): boolean {
    return this.device.features.has('shader-f16');
  }

  /** Throw if the device is lost or reported an error since the last check. */
  check(): void {
    if (this.lostMessage !== null) {
      throw new Error(`The GPU device was lost (${this.lostMessage}); the engine must be re-initialised.`);
    }
    if (this.errors.length) {
      const msgs = this.errors.splice(0);
      throw new Error(`WebGPU reported ${msgs.length} error(s):\n${msgs.join('\n')}`);
    }
  }

  private bufferId(b: GPUBuffer): number {
    let id = this.bufferIds.get(b);
    if (id === undefined) this.bufferIds.set(b, (id = this.nextId++));
    return id;
  }

  private module(file: string): GPUShaderModule {
    let m = this.modules.get(file);
    if (!m) {
      m = this.device.createShaderModule({ code: getPlatform().kernelSource(file), label: file });
      this.modules.set(file, m);
    }
    return m;
  }

  pipeline(k: Kernel, constants?: Record<string, number>): CachedPipeline {
    const key = `${k.file}:${k.entry}:${constants ? JSON.stringify(constants) : ''}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    const paramSize = paramBytes(k.params);
    const entries: GPUBindGroupLayoutEntry[] = [
      { binding: 0, visibility: STAGE_COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: paramSize } },
    ];
    for (let i = 0; i < k.reads; i++) {
      entries.push({ binding: 1 + i, visibility: STAGE_COMPUTE, buffer: { type: 'read-only-storage' } });
    }
    for (let i = 0; i < k.writes; i++) {
      entries.push({ binding: 1 + k.reads + i, visibility: STAGE_COMPUTE, buffer: { type: 'storage' } });
    }
    const layout = this.device.createBindGroupLayout({ entries, label: key });
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module: this.module(k.file), entryPoint: k.entry, constants },
    });
    p = { pipeline, layout, paramSize, id: this.pipelines.size };
    this.pipelines.set(key, p);
    return p;
  }

  private ensurePass(label: string): GPUComputePassEncoder {
    if (this.profiler) {
      // Timestamps are taken per pass, so profiling gives every dispatch a pass of its own.
      this.endPass();
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass({ timestampWrites: this.profiler.next(label) });
      return this.pass;
    }
    if (!this.pass) {
      this.encoder ??= this.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private commandEncoder(): GPUCommandEncoder {
    this.endPass();
    return (this.encoder ??= this.device.createCommandEncoder());
  }

  /**
   * Record one dispatch. `buffers` are the storage bindings in order (reads then writes);
   * `groups` is a workgroup count triple, or a number of invocations for a 1-D kernel.
   */
  dispatch(
    k: Kernel,
    buffers: readonly GPUBuffer[],
    params: Readonly<Record<string, number>>,
    groups: number | readonly [number, number?, number?],
    constants?: Record<string, number>,
  ): void {
    if (this.lostMessage !== null) this.check();
    if (buffers.length !== k.reads + k.writes) {
      throw new Error(`Kernel ${k.file}:${k.entry} takes ${k.reads + k.writes} buffers, got ${buffers.length}`);
    }
    const p = this.pipeline(k, constants);
    if (this.ringUsed + p.paramSize > RING_BYTES) this.flush();
    const offset = this.ringUsed;
    packParams(k, params, this.ringView, offset);
    this.ringUsed = Math.ceil((offset + p.paramSize) / this.ringAlign) * this.ringAlign;

    let key = `${p.id}`;
    for (const b of buffers) key += `,${this.bufferId(b)}`;
    let bg = this.bindGroups.get(key);
    if (!bg) {
      if (this.bindGroups.size > 20000) this.bindGroups.clear();
      bg = this.device.createBindGroup({
        layout: p.layout,
        entries: [
          { binding: 0, resource: { buffer: this.ring, offset: 0, size: p.paramSize } },
          ...buffers.map((buffer, i) => ({ binding: 1 + i, resource: { buffer } })),
        ],
      });
      this.bindGroups.set(key, bg);
    }
    const [x, y = 1, z = 1] = typeof groups === 'number' ? grid1d(groups, k.workgroupSize) : groups;
    if (x > 65535 || y > 65535 || z > 65535) {
      throw new Error(`Kernel ${k.file}:${k.entry}: workgroup grid ${x}×${y}×${z} exceeds 65535 per dimension`);
    }
    const pass = this.ensurePass(`${k.file}:${k.entry}`);
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, bg, [offset]);
    pass.dispatchWorkgroups(x, y, z);
    this.dispatches++;
  }

  /** Zero `size` bytes of a buffer, in stream order. */
  clear(buffer: GPUBuffer, offset = 0, size?: number): void {
    this.commandEncoder().clearBuffer(buffer, offset, size);
  }

  poisonBuffer(buffer: GPUBuffer): void {
    const n = buffer.size / 4;
    this.dispatch(POISON_KERNEL, [buffer], { n, bits: 0x7fc00000 }, n);
  }

  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    this.commandEncoder().copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /**
   * Upload host data, in stream order. queue.writeBuffer runs before any later submit, so with
   * work pending (which may still read this recycled buffer) a small upload goes through a
   * mapped staging buffer copied inside the encoder instead — no flush, no overtaking — and a
   * large one flushes the pending work first.
   */
  write(buffer: GPUBuffer, data: ArrayBufferView, offset = 0): void {
    const bytes = data.byteLength;
    if (this.encoder && bytes <= STAGED_UPLOAD_MAX && bytes % 4 === 0 && offset % 4 === 0) {
      const staging = this.device.createBuffer({ size: Math.max(4, bytes), usage: COPY_SRC, mappedAtCreation: true, label: 'upload' });
      new Uint8Array(staging.getMappedRange()).set(new Uint8Array(data.buffer, data.byteOffset, bytes));
      staging.unmap();
      this.copy(staging, 0, buffer, offset, bytes);
      this.uploads.push(staging);
      return;
    }
    if (this.encoder) this.flush();
    this.device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, bytes);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    if (this.lostMessage !== null) this.check();
    if (!this.encoder && this.ringUsed === 0) return;
    this.endPass();
    if (this.ringUsed > 0) {
      this.device.queue.writeBuffer(this.ring, 0, this.ringHost, 0, this.ringUsed);
      this.ringUsed = 0;
    }
    if (this.encoder) {
      this.profiler?.resolve(this.encoder);
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.submits++;
      this.profiler?.afterSubmit();
      // Destroying after submit is safe: the GPU keeps them until the submitted work is done.
      for (const b of this.uploads.splice(0)) b.destroy();
    }
  }

  /** Copy `byteLength` bytes of a buffer back to the host. */
  async read(buffer: GPUBuffer, byteLength: number, byteOffset = 0): Promise<ArrayBuffer> {
    const size = Math.ceil(byteLength / 4) * 4;
    let staging = this.staging.findIndex((s) => s.size >= size && s.size <= size * 2 + 1024);
    const buf =
      staging >= 0
        ? this.staging.splice(staging, 1)[0]
        : this.device.createBuffer({ size: Math.max(size, 16), usage: MAP_READ | COPY_DST, label: 'readback' });
    this.copy(buffer, byteOffset, buf, 0, size);
    this.flush();
    try {
      await getPlatform().settle(buf.mapAsync(MAP_READ, 0, size));
    } catch (e) {
      this.check();
      throw e;
    }
    const out = buf.getMappedRange(0, size).slice(0, byteLength);
    buf.unmap();
    if (this.staging.length < 8) this.staging.push(buf);
    else buf.destroy();
    this.check();
    return out;
  }

  /** Wait until the GPU has finished everything submitted so far; surfaces errors. */
  async sync(): Promise<void> {
    this.flush();
    await getPlatform().settle(this.device.queue.onSubmittedWorkDone());
    this.check();
  }

  /** Release pooled buffers and cached bind groups (e.g. between differently shaped workloads). */
  trim(): void {
    this.flush();
    this.bindGroups.clear();
    this.pool.trim();
  }

  destroy(): void {
    this.pass = null;
    this.encoder = null;
    this.bindGroups.clear();
    this.pool.trim();
    for (const s of this.staging.splice(0)) s.destroy();
    this.ring.destroy();
    this.device.destroy();
  }
}

let current: Gpu | null = null;

export function summarize(adapter: Pick<GPUAdapter, 'info' | 'features'>): AdapterSummary {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isSoftware: fallback === true || /llvmpipe|lavapipe|swiftshader|software/i.test(text),
    slowShaderCompile: /swiftshader/i.test(text),
    features: [...adapter.features].sort(),
  };
}

/** Acquire the device (once per process). Throws a clear, actionable error without an adapter. */
export async function initGpu(opts: InitOptions = {}): Promise<Gpu> {
  if (current) return current;
  const platform = getPlatform();
  const gpu = platform.gpu();
  if (!gpu) throw new Error(`WebGPU is not available. ${platform.installHint}`);
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new Error(`No WebGPU adapter. ${platform.installHint}`);
  const profile = opts.profile ?? envFlag('SEEABLE_PROFILE');
  const wanted: GPUFeatureName[] = ['shader-f16', 'subgroups'];
  if (profile) wanted.push('timestamp-query');
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
  if (profile && !adapter.features.has('timestamp-query')) {
    throw new Error('Profiling was asked for, but this adapter has no timestamp-query feature');
  }
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
    },
  });
  const summary = summarize(adapter);
  current = new Gpu(device, summary, profile);
  const log = opts.log === undefined ? (s: string) => console.error(s) : opts.log;
  log?.(
    `[seeable] WebGPU ${platform.name}: ${summary.description || summary.device || summary.vendor} ` +
      `(${summary.vendor}/${summary.architecture})${summary.isSoftware ? ' — SOFTWARE adapter (CPU)' : ''}` +
      `${profile ? ', profiling' : ''}`,
  );
  return current;
}

/** The engine's device; initGpu() must have been awaited. */
export function getGpu(): Gpu {
  if (!current) throw new Error('The GPU is not initialised: await initGpu() (or initEngine()) first');
  return current;
}

/** Destroy the device so that the process can exit; a later initGpu() starts afresh. */
export function shutdownGpu(): void {
  current?.destroy();
  current = null;
}
