// Node platform: Dawn through the `webgpu` npm package; WGSL read from kernels/ on disk.
// This file is the only Node-only part of src/gpu; importing it registers the platform.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { setPlatform, type Platform } from './platform.ts';

// While a Dawn promise is pending, the binding polls its events from setImmediate, so Node's main
// thread spins at 100 %. On a CPU adapter (lavapipe) that spin takes a core from the threads running
// the kernels: a 3×3 conv took 66–95 ms a call awaited plainly and 39–55 ms when the wait blocks the
// thread 1 ms between polls (bench/README.md, "Waiting without spinning"). After a short plain spin
// (round trips of small work take ~0.1 ms), each event-loop turn sleeps in Atomics.wait — a quarter of
// the time waited so far, at most 1 ms — so timers and I/O still run between turns and a wait overshoots
// by at most a quarter, or 1 ms.
const SPIN_MS = 1;
const BLOCK_MS = 1;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function settleCalmly<T>(pending: Promise<T>): Promise<T> {
  let done = false;
  const settled = pending.finally(() => {
    done = true;
  });
  settled.catch(() => {}); // rejections surface through the final await
  const t0 = performance.now();
  while (!done) {
    await nextTurn();
    const waited = performance.now() - t0;
    if (!done && waited > SPIN_MS) Atomics.wait(sleeper, 0, 0, Math.min(BLOCK_MS, waited / 4));
  }
  return settled;
}

const kernelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'kernels');
const sources = new Map<string, string>();
let instance: GPU | null = null;

export const nodePlatform: Platform = {
  name: 'node-dawn',
  gpu() {
    if (!instance) {
      Object.assign(globalThis, globals); // GPUBufferUsage, GPUMapMode, ...
      instance = create([]);
      // Dawn segfaults if its instance is garbage-collected while a device lives.
      (globalThis as { __seeableDawn?: GPU }).__seeableDawn = instance;
    }
    return instance;
  },
  kernelSource(file: string): string {
    let src = sources.get(file);
    if (src === undefined) {
      const path = join(kernelsDir, `${file}.wgsl`);
      try {
        src = readFileSync(path, 'utf8');
      } catch (e) {
        throw new Error(`Kernel file ${path} cannot be read: ${(e as Error).message}`);
      }
      sources.set(file, src);
    }
    return src;
  },
  settle: settleCalmly,
  installHint:
    'Dawn found no Vulkan adapter. On Debian 12 run `bash scripts/setup.sh` as root: it installs libvulkan1 and ' +
    "Mesa's mesa-vulkan-drivers (lavapipe) from bookworm-backports (Debian 12's own Mesa 22.3 is rejected by Dawn).",
};

setPlatform(nodePlatform);
