// The one seam between the engine and where it runs. Node (Dawn via the `webgpu` package) and
// the browser (navigator.gpu) each provide a Platform; nothing else in the engine core knows which.

export interface Platform {
  /** Short name for logs: "node-dawn" or "browser". */
  readonly name: string;
  /** The GPU entry point (navigator.gpu or Dawn's instance), or null when WebGPU is missing. */
  gpu(): GPU | null;
  /** WGSL text of `kernels/<file>.wgsl`, byte for byte the file on disk. */
  kernelSource(file: string): string;
  /** Await a WebGPU promise (mapAsync, onSubmittedWorkDone) without starving the GPU; the browser
   *  awaits it as is, Node waits calmly (node.ts). */
  settle<T>(pending: Promise<T>): Promise<T>;
  /** What to tell a user who has no adapter. */
  readonly installHint: string;
}

let current: Platform | null = null;

export function setPlatform(p: Platform): void {
  current = p;
}

export function getPlatform(): Platform {
  if (!current) {
    throw new Error(
      'No platform set: in Node import "src/gpu/node.ts" (or "src/node.ts"); in the browser call useBrowserPlatform(kernels) first.',
    );
  }
  return current;
}
