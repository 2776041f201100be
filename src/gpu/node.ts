// Node platform: Dawn through the `webgpu` npm package; WGSL read from kernels/ on disk.
// This file is the only Node-only part of src/gpu; importing it registers the platform.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { create, globals } from 'webgpu';
import { setPlatform, type Platform } from './platform.ts';

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
  installHint:
    'Dawn found no Vulkan adapter. On Debian 12 run `bash scripts/setup.sh` as root: it installs libvulkan1 and ' +
    "Mesa's mesa-vulkan-drivers (lavapipe) from bookworm-backports (Debian 12's own Mesa 22.3 is rejected by Dawn).",
};

setPlatform(nodePlatform);
