// `npm run web [-- --checkpoint PATH] [--port N] [--host H]`: bundles the browser demo (src/web,
// with kernels/ and shaders/ embedded) and serves it on a small static server together with the
// face weights (weights/) and a SeeABLE checkpoint. PATH: a checkpoint JSON, a checkpoints folder
// (its latest.json), or a run folder (its checkpoints/best.json, else latest; default runs/main,
// the main job's run). Node's http only; nothing is written outside dist/web.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolveCheckpoint } from '../src/io/checkpoint.ts';
import { bundleForBrowser } from '../tools/bundle.ts';

const root = resolve(import.meta.dirname, '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.safetensors': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
};

export interface WebServer { server: Server; url: string; checkpoint: string | null; close: () => Promise<void> }

export async function startWebServer(o: { checkpoint: string; port?: number; host?: string; out?: string }): Promise<WebServer> {
  const out = o.out ?? join(root, 'dist', 'web');
  mkdirSync(out, { recursive: true });
  await bundleForBrowser(join(root, 'src', 'web', 'main.ts'), join(out, 'demo.js'));
  const ckJson = resolveCheckpoint(resolve(o.checkpoint));
  const files: Record<string, string> = {
    '/': join(root, 'src', 'web', 'index.html'),
    '/index.html': join(root, 'src', 'web', 'index.html'),
    '/demo.css': join(root, 'src', 'web', 'demo.css'),
    '/demo.js': join(out, 'demo.js'),
  };
  // Flat folders only: a request names a file by its base name, never a path.
  const folders: Record<string, string | null> = { weights: join(root, 'weights'), checkpoint: ckJson && dirname(ckJson) };
  const config = JSON.stringify({
    checkpoint: ckJson ? `checkpoint/${basename(ckJson)}` : null,
    ...(ckJson ? {} : { problem: `the server found no checkpoint at ${o.checkpoint}: train one (bash scripts/main.sh) or restart it with --checkpoint PATH` }),
    weights: 'weights/',
  });
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/demo-config.json') return send(200, TYPES['.json'], config);
    let file = files[path];
    const m = /^\/(weights|checkpoint)\/([^/\\]+)$/.exec(path);
    if (!file && m && folders[m[1]] && !m[2].startsWith('.')) file = join(folders[m[1]]!, m[2]);
    if (!file) return send(404, TYPES['.txt'], `not found: ${path}`);
    try {
      send(200, TYPES[extname(file)] ?? 'application/octet-stream', readFileSync(file));
    } catch {
      send(404, TYPES['.txt'], `not found: ${path}`);
    }
  });
  await new Promise<void>((ok, fail) => server.once('error', fail).listen(o.port ?? 0, o.host ?? '127.0.0.1', ok));
  const addr = server.address();
  const url = `http://${o.host ?? '127.0.0.1'}:${typeof addr === 'object' && addr ? addr.port : o.port}/`;
  return { server, url, checkpoint: ckJson, close: () => new Promise((ok) => server.close(() => ok())) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      checkpoint: { type: 'string', default: join(root, 'runs', 'main') },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const s = await startWebServer({ checkpoint: values.checkpoint!, port: Number(values.port), host: values.host });
  console.log(`[web] SeeABLE demo at ${s.url}`);
  console.log(s.checkpoint
    ? `[web] checkpoint ${s.checkpoint}`
    : `[web] no checkpoint found at ${values.checkpoint} (train one: bash scripts/main.sh, or pass --checkpoint PATH); the page will say so`);
  console.log('[web] needs a browser with WebGPU (Chrome/Edge 113+, or Chromium with --enable-unsafe-webgpu); Ctrl-C stops');
}
