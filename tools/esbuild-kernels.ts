// esbuild plugins: `import kernels from 'virtual:kernels'` gives { name: WGSL text } for every
// kernels/*.wgsl, and `import shaders from 'virtual:shaders'` the same for the render shaders in
// shaders/*.wgsl: the very bytes Node reads from disk, so the browser runs the same shaders.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';

/** `import m from '<specifier>'` → { file name without .wgsl: text } of every dir/*.wgsl. */
export function wgslFolderPlugin(specifier: string, dir: string): Plugin {
  const ns = `seeable-wgsl-${specifier.replace(/\W/g, '-')}`;
  const filter = new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return {
    name: ns,
    setup(build) {
      build.onResolve({ filter }, () => ({ path: specifier, namespace: ns }));
      build.onLoad({ filter: /.*/, namespace: ns }, () => {
        const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl')).sort();
        const map: Record<string, string> = {};
        for (const f of files) map[f.slice(0, -5)] = readFileSync(join(dir, f), 'utf8');
        return { contents: `export default ${JSON.stringify(map)};`, loader: 'js', watchFiles: files.map((f) => join(dir, f)) };
      });
    },
  };
}

export function kernelsPlugin(kernelsDir: string): Plugin {
  return wgslFolderPlugin('virtual:kernels', kernelsDir);
}

export function shadersPlugin(shadersDir: string): Plugin {
  return wgslFolderPlugin('virtual:shaders', shadersDir);
}
