// The browser demo: the engine core, the same kernels/ and shaders/ as Node, a trained SeeABLE
// checkpoint and our face models fetched over HTTP; a dropped or chosen photo is decoded, its faces
// found and scored, and the result drawn by a WebGPU render pipeline with DOM labels on top. The
// pipeline draws into an offscreen texture whose pixels are put in a 2D canvas, not into a WebGPU
// canvas: headless Chromium on SwiftShader cannot share a WebGPU canvas's texture with its compositor
// ("Could not find SharedImageBackingFactory … WebgpuSwapChainTexture"), and its GPU process dies,
// taking the page's WebGPU with it; one still picture costs a ~2 MB readback.
// Served by `npm run web` (scripts/serve-web.ts); demo-config.json says where the checkpoint is.
import kernels from 'virtual:kernels';
import shaders from 'virtual:shaders';
import { initGpu, type Gpu } from '../gpu/device.ts';
import { useBrowserPlatform } from '../gpu/browser.ts';
import type { FaceModels } from '../models/face/index.ts';
import { numClasses } from '../seeable/discrepancy.ts';
import { detectorFromCheckpoint, type Detector } from '../seeable/face-scoring.ts';
import { analyse, type Analysis } from './analyse.ts';
import { fetchCheckpoint, fetchFaceModels } from './fetch-models.ts';
import { OverlayRenderer } from './overlay.ts';
import { overlayFace } from './overlay-geometry.ts';
import { showAdapter, showAnalysis, showCheckpoint, showNoWebGpu, showStatus, showTimings } from './view.ts';

interface DemoConfig { checkpoint: string | null; weights: string; problem?: string }
type DemoState = 'loading' | 'no-webgpu' | 'ready' | 'busy' | 'done' | 'error';

/** What the page exposes for tests and the console. */
const demo = {
  state: 'loading' as DemoState,
  error: null as string | null,
  last: null as null | { file: string; key: number; width: number; height: number; score: number | null; fake: boolean | null; threshold: number | null; faces: { box: number[] | null; score: number; perLocation: number[] }[]; ms: Record<string, number> },
  loadMs: {} as Record<string, number>,
};
(globalThis as { seeableDemo?: typeof demo }).seeableDemo = demo;

function setState(s: DemoState, error?: string): void {
  demo.state = s;
  if (error !== undefined) demo.error = error;
  document.body.dataset.state = s;
}

const MAX_CANVAS_SIDE = 760;

let gpu: Gpu;
let det: Detector;
let models: FaceModels;
let renderer: OverlayRenderer;
let context: CanvasRenderingContext2D;

async function config(): Promise<DemoConfig> {
  const q = new URLSearchParams(location.search);
  let c: DemoConfig = { checkpoint: 'checkpoint/latest.json', weights: 'weights/' };
  const res = await fetch('demo-config.json').catch(() => null);
  if (res?.ok) c = { ...c, ...(await res.json()) };
  return { ...c, checkpoint: q.get('checkpoint') ?? c.checkpoint, weights: q.get('weights') ?? c.weights };
}

async function start(): Promise<void> {
  useBrowserPlatform(kernels);
  try {
    gpu = await initGpu({ log: null });
  } catch (e) {
    setState('no-webgpu', (e as Error).message);
    showNoWebGpu((e as Error).message);
    return;
  }
  showAdapter(gpu.adapter, gpu.limits);
  const c = await config();
  if (!c.checkpoint) throw new Error(`No checkpoint to load: ${c.problem ?? 'none configured'}.`);
  showStatus(`Loading the face models (${c.weights}) and the checkpoint (${c.checkpoint})…`);
  let t = performance.now();
  const [ck, m] = await Promise.all([fetchCheckpoint(c.checkpoint!), fetchFaceModels(c.weights)]);
  demo.loadMs.fetch = performance.now() - t;
  t = performance.now();
  models = m;
  det = detectorFromCheckpoint(ck);
  demo.loadMs.build = performance.now() - t;
  showCheckpoint(ck, det);
  context = (document.getElementById('canvas') as HTMLCanvasElement).getContext('2d')!;
  renderer = new OverlayRenderer(gpu.device, 'rgba8unorm', { image: shaders['image'], faceOverlay: shaders['face-overlay'] });
  setState('ready');
  const how = det.cfg.scoreVariant === 'pristine-margin' ? 'from the face itself (pristine-margin score)' : `with K = ${numClasses(det.ctx.sd)} discrepancies`;
  showStatus(`Ready: drop or choose a photo. Each face is scored ${how} (${det.cfg.backbone} at ${det.cfg.size}²).`);
}

async function draw(a: Analysis): Promise<void> {
  const canvas = context.canvas as HTMLCanvasElement;
  const scale = Math.min(2, MAX_CANVAS_SIDE / Math.max(a.image.width, a.image.height));
  canvas.width = Math.round(a.image.width * scale);
  canvas.height = Math.round(a.image.height * scale);
  const photo = renderer.uploadPhoto(a.image);
  const faces = a.faces.map((f) => overlayFace({
    lm: f.lm, box: f.box, perLocation: f.perLocation, score: f.score, threshold: det.threshold,
    width: a.image.width, height: a.image.height, size: det.cfg.size, rows: det.cfg.gridRows, cols: det.cfg.gridCols,
  }));
  try {
    const pixels = await renderer.renderPixels(photo, faces, { scale: canvas.width / a.image.width }, canvas.width, canvas.height);
    context.putImageData(new ImageData(pixels, canvas.width, canvas.height), 0, 0);
  } finally {
    photo.destroy();
  }
}

async function run(file: Blob, name: string): Promise<void> {
  if (demo.state === 'busy' || !det) return;
  setState('busy');
  try {
    const a = await analyse(file, name, det, models, (s) => showStatus(`${name}: ${s}…`));
    const t0 = performance.now();
    await draw(a);
    a.ms.draw = performance.now() - t0;
    showAnalysis(a, det);
    showTimings(a.ms);
    demo.last = {
      file: a.file, key: a.key, width: a.image.width, height: a.image.height, score: a.score, fake: a.fake, threshold: det.threshold,
      faces: a.faces.map((f) => ({ box: f.box, score: f.score, perLocation: f.perLocation })), ms: a.ms as Record<string, number>,
    };
    showStatus(a.faces.length ? `${name}: ${a.faces.length} face${a.faces.length > 1 ? 's' : ''} scored.` : `${name}: no face found.`);
    setState('done');
  } catch (e) {
    console.error(e);
    showStatus(`${name}: ${(e as Error).message}`);
    setState('error', (e as Error).message);
  }
}

function wireInput(): void {
  const input = document.getElementById('file') as HTMLInputElement;
  const drop = document.getElementById('drop')!;
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) void run(f, f.name);
    input.value = '';
  });
  drop.addEventListener('dragover', (e) => (e.preventDefault(), drop.classList.add('over')));
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void run(f, f.name);
  });
}

wireInput();
start().catch((e) => {
  console.error(e);
  showStatus((e as Error).message);
  setState('error', (e as Error).message);
});
