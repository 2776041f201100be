// Standalone: how long headless Chromium's SwiftShader takes to compile each compute pipeline the
// browser demo uses (test/web/demo.test.ts's path: a tiny SeeABLE checkpoint, one val face, detector +
// landmarks + K-discrepancy score). The pipelines are recorded in Node with the tile choices the
// browser's adapter gets (AdapterSummary.slowShaderCompile), then each is compiled alone in a page with
// createComputePipelineAsync and timed.
//   node --import tsx bench/browser-compile.ts [--wide]     (--wide: the 8-wide depthwise tiles lavapipe
//                                                             uses; each 8-wide scalar-row entry takes minutes)
// Writes bench/results/browser-compile[-wide].json.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import '../src/gpu/node.ts';
import { Gpu, initGpu } from '../src/gpu/device.ts';
import type { Kernel } from '../src/gpu/kernel.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { saveCheckpoint } from '../src/io/checkpoint.ts';
import { decodeImage, encodePng } from '../src/io/images.ts';
import { resolveConfig } from '../src/seeable/config.ts';
import { fileKey, loadDetector, scoreImage } from '../src/seeable/detector.ts';
import { buildSeeable } from '../src/seeable/setup.ts';
import { tensor } from '../src/tensor/create.ts';
import { launchBrowser, serveDir } from '../test/helpers/browser.ts';
import { resultsDir } from './lib/results.ts';

const wide = process.argv.includes('--wide');
const root = resolve(import.meta.dirname, '..');
const FACE = resolve(root, '..', 'shared', 'data', 'val', 'helen_te_2973812451_1.jpg');

type Entry = { file: string; entry: string; constants?: Record<string, number> };
const used = new Map<string, Entry>();
const pipeline = Gpu.prototype.pipeline;
Gpu.prototype.pipeline = function (this: Gpu, k: Kernel, constants?: Record<string, number>) {
  used.set(`${k.file}:${k.entry}:${constants ? JSON.stringify(constants) : ''}`, { file: k.file, entry: k.entry, constants });
  return pipeline.call(this, k, constants);
};

const gpu = await initGpu({ log: null });
(gpu.adapter as { slowShaderCompile: boolean }).slowShaderCompile = !wide; // the browser's (SwiftShader's) choices
const dir = mkdtempSync(join(tmpdir(), 'browser-compile-'));
try {
  const cfg = resolveConfig('tiny', {});
  const parts = buildSeeable(cfg);
  mkdirSync(join(dir, 'ck'));
  const prototypes = tensor(new Float32Array(parts.K * cfg.dim).fill(1 / Math.sqrt(cfg.dim)), [parts.K, cfg.dim]);
  await saveCheckpoint(join(dir, 'ck'), { step: 0, epoch: 0, model: parts.net, extra: { prototypes }, info: { config: cfg, threshold: 0 } });
  writeFileSync(join(dir, 'face.png'), await encodePng(await decodeImage(FACE)));
  await scoreImage(loadDetector(join(dir, 'ck')), join(dir, 'face.png'), fileKey('face.png'), { detect: 'always' });

  // A page on a secure origin (about:blank has no WebGPU) with the kernels beside it.
  const site = join(dir, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>compile</title>');
  for (const f of new Set([...used.values()].map((e) => e.file))) writeFileSync(join(site, `${f}.wgsl`), readFileSync(join(root, 'kernels', `${f}.wgsl`)));
  const { server, url } = await serveDir(site);
  const b = await launchBrowser();
  const rows: (Entry & { seconds: number; error: string })[] = [];
  try {
    await b.page.goto(url);
    const adapter = await b.page.evaluate(async () => {
      const a = (await navigator.gpu.requestAdapter())!;
      (globalThis as unknown as { dev: GPUDevice }).dev = await a.requestDevice();
      return `${a.info.vendor}/${a.info.architecture}`;
    });
    console.log(`[browser-compile] ${used.size} pipelines, ${wide ? '8-wide' : 'SwiftShader\'s'} depthwise tiles, adapter ${adapter}`);
    for (const e of used.values()) {
      const r = await b.page.evaluate(async (e) => {
        const d = (globalThis as unknown as { dev: GPUDevice }).dev;
        const module = d.createShaderModule({ code: await (await fetch(`${e.file}.wgsl`)).text() });
        const t0 = performance.now();
        try {
          await d.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: e.entry, constants: e.constants ?? {} } });
          return { ms: performance.now() - t0, error: '' };
        } catch (err) {
          return { ms: performance.now() - t0, error: String(err) };
        }
      }, e);
      rows.push({ ...e, seconds: r.ms / 1000, error: r.error });
      console.log(`${(r.ms / 1000).toFixed(2).padStart(8)} s  ${e.file}:${e.entry} ${e.constants ? JSON.stringify(e.constants) : ''} ${r.error}`);
    }
  } finally {
    await b.close();
    server.close();
  }
  const total = rows.reduce((s, r) => s + r.seconds, 0);
  const slowest = [...rows].sort((a, b) => b.seconds - a.seconds)[0];
  console.log(`[browser-compile] total ${total.toFixed(1)} s; slowest ${slowest.seconds.toFixed(2)} s (${slowest.file}:${slowest.entry})`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileAtomic(join(resultsDir, `browser-compile${wide ? '-wide' : ''}.json`), JSON.stringify({
    command: `node --import tsx bench/browser-compile.ts${wide ? ' --wide' : ''}`, date: new Date().toISOString(),
    loadavg: loadavg(), totalSeconds: total, rows,
  }, null, 1) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
