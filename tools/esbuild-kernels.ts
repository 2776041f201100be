// esbuild plugin: `import kernels from 'virtual:kernels'` gives { name: WGSL text } for every
// kernels/*.wgsl, the very bytes Node reads from disk, so the browser runs the same shaders.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

export function kernelsPlugin(kernelsDir: string): Plugin {
  return {
    name: 'seeable-kernels',
    setup(build) {
      build.onResolve({ filter: /^virtual:kernels$/ }, () => ({ path: 'kernels', namespace: 'seeable-kernels' }));
      build.onLoad({ filter: /.*/, namespace: 'seeable-kernels' }, () => {
        const files = readdirSync(kernelsDir).filter((f) => f.endsWith('.wgsl')).sort();
        const map: Record<string, string> = {};
        for (const f of files) map[f.slice(0, -5)] = readFileSync(join(kernelsDir, f), 'utf8');
        return { contents: `export default ${JSON.stringify(map)};`, loader: 'js', watchFiles: files.map((f) => join(kernelsDir, f)) };
      });
    },
  };
}
