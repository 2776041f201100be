// Bundle a browser entry point with the kernels (kernels/) and render shaders (shaders/) embedded
// (esbuild, ESM, browser platform). A Node-only import anywhere in the engine core fails this
// build, which keeps the core portable.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelsPlugin, shadersPlugin } from './esbuild-kernels.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleForBrowser(entry: string, outfile: string, minify = false): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    sourcemap: false,
    logLevel: 'error',
    plugins: [kernelsPlugin(join(root, 'kernels')), shadersPlugin(join(root, 'shaders'))],
  });
}
