// The browser demo end to end in headless Chromium (SwiftShader WebGPU): the page served by
// scripts/serve-web.ts loads a checkpoint and our face models over HTTP, a PNG face chosen in its
// file input (then dropped on the page) is detected, scored and drawn; the score equals the Node
// path's (`seeable score --detect`, the same checkpoint and file name) within 1e-3 relative; the
// canvas shows the photo and the face's box; the engine smoke run inside the page matches Node;
// without WebGPU the page says so. A screenshot is saved (path printed). On SwiftShader the
// depthwise forward takes 4-wide tiles (depthwise.ts forwardTile): its 8-wide scalar-row entry
// alone took 2–4 minutes to compile.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as E from '../../src/index.ts';
import { saveCheckpoint } from '../../src/io/checkpoint.ts';
import { decodeImage, encodePng } from '../../src/io/images.ts';
import { resolveConfig } from '../../src/seeable/config.ts';
import { fileKey, loadDetector, scoreImage, type ImageResult } from '../../src/seeable/detector.ts';
import { buildSeeable } from '../../src/seeable/setup.ts';
import { startWebServer, type WebServer } from '../../scripts/serve-web.ts';
import { bundleForBrowser } from '../../tools/bundle.ts';
import { CHROMIUM, launchBrowser } from '../helpers/browser.ts';
import { assertClose, setupGpu } from '../helpers/harness.ts';
import { engineSmoke } from './smoke.ts';
import { BOX_COLORS } from '../../src/web/overlay.ts';

const FACE = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'val', 'helen_te_2973812451_1.jpg');
const SHOT = join(process.env.SEEABLE_OUT ?? tmpdir(), 'seeable-web-demo.png');
/** Score parity, relative (float32 GPU work in two WebGPU implementations, SwiftShader vs lavapipe). */
const SCORE_REL = 1e-3;
const skip = !existsSync(CHROMIUM) ? `Chromium is not installed at ${CHROMIUM} (bash scripts/setup.sh installs it)` : false;

type DemoLast = { score: number | null; threshold: number | null; width: number; height: number; faces: { box: number[]; score: number; perLocation: number[] }[]; ms: Record<string, number> };

describe('browser demo (src/web, npm run web)', { skip }, () => {
  let dir = '';
  let png = '';
  let node: ImageResult;
  let web: WebServer;
  let b: Awaited<ReturnType<typeof launchBrowser>>;
  const errors: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seeable-web-demo-'));
    png = join(dir, 'face.png');
    (await setupGpu()).poison = false;
    // A freshly initialised tiny SeeABLE net (b0 at 32², K = 8), saved as `seeable train` does. Its
    // prototypes are random unit rows rather than the simplex: an untrained net embeds every
    // discrepancy alike, and against simplex prototypes (which sum to 0) every score would be ≈ 0.
    const cfg = resolveConfig('tiny', {});
    const parts = buildSeeable(cfg);
    const rng = new E.Rng(3);
    const rows = Array.from({ length: parts.K }, () => {
      const v = Array.from({ length: cfg.dim }, () => rng.normal());
      const n = Math.hypot(...v);
      return v.map((x) => x / n);
    });
    const prototypes = E.tensor(Float32Array.from(rows.flat()), [parts.K, cfg.dim]);
    mkdirSync(join(dir, 'ck'));
    await saveCheckpoint(join(dir, 'ck'), { step: 0, epoch: 0, model: parts.net, extra: { prototypes }, info: { config: cfg, threshold: 0.01 } });
    writeFileSync(png, await encodePng(await decodeImage(FACE)));
    node = await scoreImage(loadDetector(join(dir, 'ck')), png, fileKey('face.png'), { detect: 'always' });
    assert.equal(node.error, undefined);
    assert.ok(Math.abs(node.score!) > 1e-3, `the Node score ${node.score} is far from 0, so the relative check means something`);
    web = await startWebServer({ checkpoint: join(dir, 'ck'), out: join(dir, 'dist') });
    b = await launchBrowser();
    b.page.on('pageerror', (e) => errors.push(e.message));
  });
  after(async () => {
    await b?.close();
    await web?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads, scores a chosen (then a dropped) PNG face as the Node path does, and draws it', { timeout: 300_000 }, async () => {
    await b.page.setViewportSize({ width: 1200, height: 860 });
    await b.page.goto(web.url);
    await b.page.waitForFunction(() => ['ready', 'error', 'no-webgpu'].includes((globalThis as any).seeableDemo?.state), null, { timeout: 120_000 });
    assert.equal(await b.page.evaluate(() => (globalThis as any).seeableDemo.state), 'ready', String(await b.page.evaluate(() => (globalThis as any).seeableDemo.error)));
    assert.match(await b.page.textContent('#adapter') ?? '', /device.*kind/s);

    await b.page.setInputFiles('#file', png);
    await b.page.waitForFunction(() => ['done', 'error'].includes((globalThis as any).seeableDemo.state), null, { timeout: 240_000 });
    const last = (await b.page.evaluate(() => (globalThis as any).seeableDemo.last)) as DemoLast;
    assert.deepEqual(errors, []);
    assert.ok(last, String(await b.page.evaluate(() => (globalThis as any).seeableDemo.error)));

    assert.equal(last.faces.length, node.faces!.length, 'faces found in the browser vs Node');
    assert.ok(last.faces.length >= 1);
    for (const [i, f] of last.faces.entries()) {
      const n = node.faces![i];
      assertClose(f.box, n.box!, { rel: 0, abs: 0.05 }, `face ${i} box (px)`);
      assertClose([f.score], [n.score], { rel: SCORE_REL, abs: 1e-7 }, `face ${i} score`);
      assertClose(f.perLocation, n.perLocation, { rel: SCORE_REL, abs: 1e-7 }, `face ${i} per-location`);
    }
    assertClose([last.score!], [node.score!], { rel: SCORE_REL, abs: 1e-7 }, 'image score');
    for (const s of ['decode', 'detect', 'landmarks', 'score', 'draw']) assert.ok(last.ms[s] >= 0, `stage ${s} timed`);
    assert.match(await b.page.textContent('#timings') ?? '', /decode.*detect.*landmarks.*score.*draw.*total/s);
    assert.equal(await b.page.locator('#labels .label').count(), last.faces.length);
    // The picture is on the canvas: the photo's pixels, and the first face's box outline in its colour.
    const want = (last.threshold === null ? BOX_COLORS.unknown : last.faces[0].score > last.threshold ? BOX_COLORS.fake : BOX_COLORS.real).slice(0, 3).map((v) => v * 255);
    const px = await b.page.evaluate((want) => {
      const c = document.getElementById('canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let box = 0, dark = 0;
      for (let i = 0; i < d.length; i += 4) {
        if ([0, 1, 2].every((k) => Math.abs(d[i + k] - want[k]) <= 3)) box++;
        if (d[i] + d[i + 1] + d[i + 2] < 6) dark++;
      }
      return { width: c.width, height: c.height, box, dark };
    }, want);
    assert.ok(Math.abs(px.width / px.height - last.width / last.height) < 0.01, `canvas ${px.width}×${px.height} for a ${last.width}×${last.height} photo`);
    const [x0, y0, x1, y1] = last.faces[0].box.map((v) => v * px.width / last.width);
    assert.ok(px.box > (x1 - x0 + y1 - y0) * 2, `${px.box} pixels in the box colour along a ${Math.round(x1 - x0)}×${Math.round(y1 - y0)} px box`);
    assert.ok(px.dark < px.width * px.height * 0.5, `${px.dark} of ${px.width * px.height} canvas pixels black: the photo is not drawn`);

    await b.page.screenshot({ path: SHOT, fullPage: true });
    console.log(`# demo screenshot: ${SHOT}`);
    console.log(`# browser ${JSON.stringify(last.ms)}; node score ${node.score}, browser ${last.score}`);

    // The same file dropped on the drop zone (a DataTransfer made in the page) scores the same.
    const bytes = [...readFileSync(png)];
    await b.page.evaluate((bytes) => {
      (globalThis as any).seeableDemo.last = null;
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], 'face.png', { type: 'image/png' }));
      document.getElementById('drop')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, bytes);
    await b.page.waitForFunction(() => (globalThis as any).seeableDemo.last !== null || (globalThis as any).seeableDemo.state === 'error', null, { timeout: 120_000 });
    const dropped = (await b.page.evaluate(() => (globalThis as any).seeableDemo.last)) as DemoLast;
    assert.ok(dropped, String(await b.page.evaluate(() => (globalThis as any).seeableDemo.error)));
    assertClose([dropped.score!], [node.score!], { rel: SCORE_REL, abs: 1e-7 }, 'dropped file: image score');
    assert.deepEqual(errors, []);
  });

  it('runs the engine smoke test inside the demo page with the numbers Node gets', { timeout: 120_000 }, async () => {
    if (b.page.url() !== web.url) await b.page.goto(web.url); // a secure origin: about:blank has no WebGPU
    const js = join(dir, 'engine.js');
    await bundleForBrowser(join(import.meta.dirname, 'engine-page.ts'), js);
    await b.page.addScriptTag({ content: readFileSync(js, 'utf8'), type: 'module' });
    await b.page.waitForFunction(() => 'runEngine' in globalThis, null, { timeout: 60_000 });
    const res = (await b.page.evaluate('runEngine()')) as { results: Record<string, number[]> };
    (await setupGpu()).poison = true;
    for (const [k, v] of Object.entries(await engineSmoke(E))) assertClose(res.results[k], v, { rel: 1e-5 }, `browser vs node: ${k}`);
    assert.deepEqual(errors, []);
  });

  it('says plainly that WebGPU is missing when the browser has none', { timeout: 60_000 }, async () => {
    const page = await b.browser.newPage();
    await page.addInitScript({ content: 'Object.defineProperty(Navigator.prototype, "gpu", { get: () => undefined });' }); // a string: tsx's helpers do not exist in the page
    await page.goto(web.url);
    await page.waitForFunction(() => (globalThis as any).seeableDemo?.state === 'no-webgpu', null, { timeout: 30_000 });
    assert.match(await page.textContent('#status') ?? '', /WebGPU is not available in this browser/);
    assert.equal(await page.isDisabled('#file'), true);
    await page.close();
  });
});
