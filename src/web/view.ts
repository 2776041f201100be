// The page's DOM: status line, adapter and checkpoint panels, per-face labels over the canvas,
// the verdict and the time of each stage. Text only; the picture is the render pipeline's.
import type { AdapterSummary } from '../gpu/device.ts';
import type { LoadedCheckpoint } from '../io/checkpoint-state.ts';
import { numClasses } from '../seeable/discrepancy.ts';
import type { Detector } from '../seeable/face-scoring.ts';
import { STAGES, type Analysis } from './analyse.ts';

const $ = (id: string) => document.getElementById(id)!;

function el(tag: string, attrs: Record<string, string> = {}, text = ''): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

function fillList(id: string, rows: [string, string][]): void {
  const dl = $(id);
  dl.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

export const fmtScore = (v: number) => (Math.abs(v) >= 100 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : v.toFixed(4));

export function showStatus(text: string): void {
  $('status').textContent = text;
}

export function showNoWebGpu(message: string): void {
  showStatus(`WebGPU is not available in this browser, so the detector cannot run here. ${message.replace(/^WebGPU is not available\.\s*/, '')}`);
  fillList('adapter', [['WebGPU', 'not available']]);
  fillList('checkpoint', [['not loaded', 'the detector needs WebGPU']]);
  ($('file') as HTMLInputElement).disabled = true;
  $('drop').classList.add('disabled');
}

/** The features the engine can use, and how many others the adapter has. */
function keyFeatures(all: readonly string[]): string {
  const key = ['shader-f16', 'subgroups', 'timestamp-query'].map((f) => `${f} ${all.includes(f) ? 'yes' : 'no'}`);
  const others = all.filter((f) => !['shader-f16', 'subgroups', 'timestamp-query'].includes(f)).length;
  return `${key.join(', ')}${others ? ` (+${others} more)` : ''}`;
}

export function showAdapter(a: AdapterSummary, limits: GPUSupportedLimits): void {
  fillList('adapter', [
    ['device', a.description || a.device || '(not reported by this browser)'],
    ['vendor', `${a.vendor || '?'} / ${a.architecture || '?'}`],
    ['kind', a.isSoftware ? 'software (CPU)' : 'hardware GPU'],
    ['features', keyFeatures(a.features)],
    ['workgroup', `${limits.maxComputeInvocationsPerWorkgroup} invocations, ${limits.maxComputeWorkgroupStorageSize / 1024} KiB`],
  ]);
}

export function showCheckpoint(ck: LoadedCheckpoint, det: Detector): void {
  const c = det.cfg;
  fillList('checkpoint', [
    ['file', ck.path.split('/').pop() ?? ck.path],
    ['step', String(ck.meta.step)],
    ['model', `${c.backbone === 'mobilenet-v1' ? 'MobileNet-V1' : `EfficientNet-${c.backbone.toUpperCase()}`} at ${c.size}², d = ${c.dim}`],
    ['discrepancies', `K = ${numClasses(det.ctx.sd)} (${c.gridRows}×${c.gridCols} grid × ${c.types})${det.parts.pristine ? ' + a pristine class' : ''}`],
    ['score', `${c.scoreVariant}${c.scoreVariant === 'norm-cos' ? `, α = ${c.alpha}` : ''}`],
    ['threshold', det.threshold === null ? 'not calibrated' : fmtScore(det.threshold)],
  ]);
}

const verdictOf = (fake: boolean | null) => (fake === null ? 'unknown' : fake ? 'fake' : 'real');

export function showAnalysis(a: Analysis, det: Detector): void {
  $('stage').hidden = false;
  const labels = $('labels');
  labels.replaceChildren(...a.faces.map((f, i) => {
    const fake = det.threshold === null ? null : f.score > det.threshold;
    const box = f.box ?? [0, 0, 0, 0];
    const cmp = det.threshold === null ? '' : ` ${f.score > det.threshold ? '>' : '≤'} ${fmtScore(det.threshold)}`;
    const label = el('div', { class: `label ${verdictOf(fake)}`, 'data-face': String(i) }, `${fmtScore(f.score)}${cmp} · ${verdictOf(fake)}`);
    label.style.left = `${(Math.max(0, box[0]) / a.image.width) * 100}%`;
    label.style.top = `${(Math.max(0, box[1]) / a.image.height) * 100}%`;
    return label;
  }));
  const v = $('verdict');
  v.className = '';
  if (a.score === null) {
    v.replaceChildren(el('div', { class: 'big' }, 'No face found'), el('div', { class: 'muted' }, `${a.file}: the face detector found no face.`));
    $('legend').hidden = true;
    return;
  }
  const word = a.fake === null ? 'score' : a.fake ? 'Likely fake' : 'Looks real';
  v.replaceChildren(
    el('div', { class: `big ${verdictOf(a.fake)}` }, word),
    el('div', {}, `score ${fmtScore(a.score)}${det.threshold === null ? ' (no calibrated threshold in this checkpoint)' : ` against threshold ${fmtScore(det.threshold)}`}`),
    el('div', { class: 'muted' }, `${a.file} · ${a.image.width}×${a.image.height} · ${a.faces.length} face${a.faces.length > 1 ? 's' : ''}; the image scores as its most anomalous face`),
  );
  $('legend').hidden = false;
}

export function showTimings(ms: Analysis['ms']): void {
  const rows = STAGES.map((s) => [s, ms[s]] as const).filter(([, v]) => v !== undefined);
  const total = rows.reduce((t, [, v]) => t + v!, 0);
  const tr = (k: string, v: number, cls = '') => {
    const r = el('tr', cls ? { class: cls } : {});
    r.append(el('td', {}, k), el('td', {}, `${v.toFixed(0)} ms`));
    return r;
  };
  $('timings').querySelector('tbody')!.replaceChildren(...rows.map(([k, v]) => tr(k, v!)), tr('total', total, 'total'));
}
