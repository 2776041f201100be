// Browser platform: navigator.gpu; WGSL comes from the bundle (esbuild's text loader imports the
// same kernels/*.wgsl files, so the bytes are those Node reads from disk).
import { setPlatform, type Platform } from './platform.ts';

export function browserPlatform(kernels: Record<string, string>): Platform {
  return {
    name: 'browser',
    gpu: () => (typeof navigator !== 'undefined' && navigator.gpu ? navigator.gpu : null),
    kernelSource(file: string): string {
      const src = kernels[file];
      if (src === undefined) throw new Error(`Kernel ${file}.wgsl is not in the bundle`);
      return src;
    },
    settle: (pending) => pending, // the page's event loop does not spin on WebGPU promises
    installHint:
      'This browser exposes no WebGPU (navigator.gpu is missing or gave no adapter). Use a recent Chrome, Edge or ' +
      'Firefox with WebGPU enabled; headless Chromium needs --enable-unsafe-webgpu.',
  };
}

export function useBrowserPlatform(kernels: Record<string, string>): void {
  setPlatform(browserPlatform(kernels));
}
