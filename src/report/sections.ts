// The report's sections, each a function of the run data returning an HTML fragment. A missing
// piece gives a visible note in its section instead of a chart.
import { formatProfile } from '../gpu/profiler.ts';
import { averagePrecision, equalErrorRate, rocAuc, rocCurve } from '../seeable/metrics.ts';
import { escapeXml as esc, fmt, heatmapSvg, meanVector } from './heatmap.ts';
import { histogramSpec, renderSvg, rocSpec, seriesSpec } from './plots.ts';
import type { RunData, TrainPoint } from './run-data.ts';
import { describeChanges } from '../seeable/run-config.ts';

export const note = (text: string) => `<p class="note">${esc(text)}</p>`;

let figureCount = 0;
/** Inline SVG with its ids made unique, so several charts on one page do not share clip paths. */
export function inlineSvg(svg: string, cls = 'figure'): string {
  const p = `f${++figureCount}-`;
  const body = svg
    .replace(/<\?xml[^>]*>/, '')
    .replace(/\bid="([^"]+)"/g, `id="${p}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${p}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${p}$1"`);
  return `<div class="${cls}">${body}</div>`;
}

function table(rows: readonly (readonly string[])[], head?: readonly string[], cls = ''): string {
  const h = head ? `<thead><tr>${head.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead>` : '';
  return `<table class="${cls}">${h}<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${id}"><h2>${esc(title)}</h2>${body}</section>`;
}

/** Headline numbers: steps, validation AUC, test AUC/AP/EER. */
export function summaryCards(run: RunData): string {
  const steps = Number(run.config?.steps ?? NaN);
  const last = run.train.at(-1);
  const bestVal = run.val.length ? Math.max(...run.val.map((v) => v.valAuc)) : null;
  const cards: [string, string][] = [
    ['steps', last ? `${last.step}${Number.isFinite(steps) ? ` / ${steps}` : ''}` : '—'],
    ['best val AUC', bestVal !== null ? bestVal.toFixed(4) : '—'],
    ['test ROC-AUC', run.eval ? run.eval.auc.toFixed(4) : '—'],
    ['test AP', run.eval ? run.eval.ap.toFixed(4) : '—'],
    ['test EER', run.eval ? run.eval.eer.toFixed(4) : '—'],
  ];
  return `<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`).join('')}</div>`;
}

export function configSection(run: RunData): string {
  if (!run.config) return section('config', 'Configuration', note(run.notes.config ?? 'no configuration'));
  const cmd = run.command ? `<h3>Command</h3><pre class="cmd">${esc(run.command)}</pre>` : note('the command was not recorded');
  const rows = Object.entries(run.config).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]);
  const ck = run.checkpoints;
  const ckLine = ck.latest
    ? `<p>Checkpoints: ${ck.count} kept; latest ${esc(String(ck.latest.checkpoint ?? ''))} at step ${esc(String(ck.latest.step ?? '?'))}${ck.best ? `, best (validation AUC) at step ${esc(String(ck.best.step ?? '?'))}` : ''}.</p>`
    : note('no checkpoint yet');
  const resumes = run.resumes.length
    ? `<h3>Resumed with changed settings</h3><ul>${run.resumes.map((r) => `<li>at step ${r.step}: ${esc(describeChanges(r.changed))}${r.command ? ` — <code>${esc(r.command)}</code>` : ''}</li>`).join('')}</ul>`
    : '';
  return section('config', 'Configuration', `${cmd}${resumes}${ckLine}<h3>Settings</h3>${table(rows, undefined, 'kv cols')}`);
}

export async function trainingSection(run: RunData): Promise<string> {
  if (!run.train.length) return section('training', 'Training', note(run.notes.metrics ?? 'no training metrics'));
  const loss = run.train.flatMap((m) => [
    { step: m.step, value: m.loss, series: 'total' },
    { step: m.step, value: m.bcr, series: 'BCR' },
    { step: m.step, value: m.gui, series: 'guidance (GUI)' },
  ]);
  const lossSvg = await renderSvg(seriesSpec(loss, 'Training loss', 'loss'));
  const valSvg = run.val.length
    ? inlineSvg(await renderSvg(seriesSpec(run.val.map((v) => ({ step: v.step, value: v.valAuc, series: 'val AUC' })), 'One-class validation AUC', 'AUC', { yDomain: [0, 1], legend: false })))
    : note(run.notes.val ?? 'no validation AUC');
  const accSvg = await accuracyChart(run);
  const last = run.train.at(-1)!;
  const ips = run.train.reduce((s, m) => s + m.imagesPerSecond, 0) / run.train.length;
  const facts = table([
    ['last step', String(last.step)],
    ['last loss (total / BCR / GUI)', `${fmt(last.loss)} / ${fmt(last.bcr)} / ${fmt(last.gui)}`],
    ['learning rate at the last step', last.lr.toExponential(2)],
    ['mean throughput', `${ips.toFixed(2)} images/s`],
    ['elapsed (this session)', `${last.elapsedS.toFixed(0)} s`],
    ...(run.val.length ? [['last val AUC (threshold)', `${run.val.at(-1)!.valAuc.toFixed(4)} (${fmt(run.val.at(-1)!.threshold)})`]] : []),
  ], undefined, 'kv');
  const caption = '<p class="src">Loss: L = L<sub>BCR</sub> + λ·L<sub>GUI</sub> per step. Validation AUC: real validation faces vs fresh soft discrepancies of them (one-class, no fakes seen). Accuracy: how often a discrepancy\'s nearest prototype is its own class (and its location, its type) — on the validation faces\' K discrepancies (held out) and on the training batches (mean of 20 steps); chance is 1/K, 1/N<sub>loc</sub>, 1/N<sub>type</sub>. With a pristine class, “binary” is the pristine-vs-altered decision (held out: the val faces themselves count as pristine, their K discrepancies as altered).</p>';
  return section('training', 'Training', `<div class="charts">${inlineSvg(lossSvg)}${valSvg}${accSvg}</div>${caption}${facts}`);
}

export async function evalSection(run: RunData): Promise<string> {
  if (!run.eval && !run.scores) return section('evaluation', 'Evaluation', note(run.notes.eval ?? 'no evaluation'));
  const parts: string[] = [];
  const scored = (run.scores ?? []).filter((r) => r.score !== null);
  const real = scored.filter((r) => r.label === 'real').map((r) => r.score as number);
  const fake = scored.filter((r) => r.label === 'fake').map((r) => r.score as number);
  const both = real.length > 0 && fake.length > 0;
  const e = run.eval;
  const auc = e?.auc ?? (both ? rocAuc(real, fake) : NaN);
  const ap = e?.ap ?? (both ? averagePrecision(real, fake) : NaN);
  const eer = e ? { eer: e.eer, threshold: e.eerThreshold } : both ? equalErrorRate(real, fake) : null;
  const metrics = table([
    ['ROC-AUC', Number.isFinite(auc) ? auc.toFixed(4) : '—'],
    ['average precision', Number.isFinite(ap) ? ap.toFixed(4) : '—'],
    ['equal error rate', eer ? `${eer.eer.toFixed(4)} at score ${fmt(eer.threshold)}` : '—'],
    ['faces', e ? `${e.counts.real} real, ${e.counts.fake} fake, ${e.counts.unscored} not scorable` : `${real.length} real, ${fake.length} fake`],
    ...(e ? [['checkpoint', e.checkpoint]] : []),
  ], undefined, 'kv');
  const charts: string[] = [];
  if (both) {
    const eerPoint = equalErrorRate(real, fake);
    const marks = [{ fpr: eerPoint.eer, tpr: 1 - eerPoint.eer, label: `EER ${eerPoint.eer.toFixed(3)}` }];
    charts.push(inlineSvg(await renderSvg(rocSpec([{ label: 'SeeABLE', points: rocCurve(real, fake), auc: rocAuc(real, fake) }], `ROC (${real.length} real, ${fake.length} fake)`, marks))));
    charts.push(inlineSvg(await renderSvg(histogramSpec({ real, fake }, 'Anomaly scores: real vs fake', 20))));
  } else {
    parts.push(note(run.scores ? 'scores.csv lacks one of the classes: no ROC curve or histogram' : run.notes.scores ?? 'no scores.csv: no ROC curve or histogram'));
  }
  const unscored = e?.unscored?.length ? `<details><summary>${e.unscored.length} face(s) not scorable</summary><pre>${esc(e.unscored.join('\n'))}</pre></details>` : '';
  return section('evaluation', 'Evaluation (last run of seeable eval)', `<p class="src">from ${esc(run.evalDir)}</p>${metrics}<div class="charts">${charts.join('')}</div>${parts.join('')}${unscored}`);
}

/** Mean per-location score over fakes and over reals, on one colour scale. */
export function heatmapSection(run: RunData): string {
  const title = 'Per-location scores';
  if (!run.scores) return section('locations', title, note(run.notes.scores ?? run.notes.eval ?? 'no scores.csv'));
  const byLabel = (l: 'real' | 'fake') => meanVector(run.scores!.filter((r) => r.label === l && r.score !== null).map((r) => r.perLocation));
  const fake = byLabel('fake');
  const real = byLabel('real');
  if (!fake && !real) return section('locations', title, note('scores.csv has no per-location columns (loc_0 …): it was written by an older `seeable eval`; rerun the evaluation'));
  const n = (fake ?? real)!.mean.length;
  let rows = Number(run.config?.gridRows ?? 0);
  let cols = Number(run.config?.gridCols ?? 0);
  if (rows * cols !== n) {
    // The config's grid does not match the CSV (another run's eval?): a square, else one row.
    const s = Math.round(Math.sqrt(n));
    [rows, cols] = s * s === n ? [s, s] : [1, n];
  }
  const all = [...(fake?.mean ?? []), ...(real?.mean ?? [])];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const maps: string[] = [];
  if (fake) maps.push(inlineSvg(heatmapSvg(fake.mean, rows, cols, { title: `fakes (mean of ${fake.n})`, lo, hi }), 'figure heat'));
  if (real) maps.push(inlineSvg(heatmapSvg(real.mean, rows, cols, { title: `reals (mean of ${real.n})`, lo, hi }), 'figure heat'));
  if (fake && real) {
    const d = fake.mean.map((v, i) => v - real.mean[i]);
    maps.push(inlineSvg(heatmapSvg(d, rows, cols, { title: 'fakes − reals', lo: Math.min(...d), hi: Math.max(...d) }), 'figure heat'));
  }
  return section('locations', title,
    `<p>Mean per-location anomaly score (grid ${rows}×${cols} over the face, row-major, top-left first; higher = more fake-looking). ` +
    `The first two maps share one colour scale.</p><div class="row">${maps.join('')}</div>`);
}

export function gallerySection(g: { png: Uint8Array; caption: string } | { error: string } | null): string {
  const title = 'Soft discrepancies';
  if (!g) return section('gallery', title, note('gallery not drawn (--no-gallery)'));
  if ('error' in g) return section('gallery', title, note(`gallery could not be drawn: ${g.error}`));
  const uri = `data:image/png;base64,${Buffer.from(g.png).toString('base64')}`;
  return section('gallery', title, `<p>${esc(g.caption)}</p><img class="gallery" alt="soft discrepancy gallery" src="${uri}">`);
}

export function profileSection(run: RunData): string {
  const title = 'Per-kernel GPU time';
  const p = run.profile;
  if (!p) return section('profile', title, note(run.notes.profile ?? 'no profile'));
  if (!p.rows.length) return section('profile', title, note('the profile holds no kernel timings'));
  const total = p.rows.reduce((s, r) => s + r.totalMs, 0);
  const top = p.rows.slice(0, 25);
  const perPass = (calls: number) => fmt(calls / p.passes);
  const rows = top.map((r) => [r.kernel, perPass(r.calls), (r.totalMs / p.passes).toFixed(3), `${((100 * r.totalMs) / (total || 1)).toFixed(1)} %`]);
  rows.push([`all ${p.rows.length} kernels`, perPass(p.rows.reduce((s, r) => s + r.calls, 0)), (total / p.passes).toFixed(3), '100 %']);
  const meta = `${esc(p.what)}${p.device ? ` on ${esc(p.device)}` : ''}${p.createdAt ? `, ${esc(p.createdAt)}` : ''}.`;
  return section('profile', title,
    `<p>${meta} Times are GPU timestamps per pass; slowest first (top ${top.length}).</p>` +
    table(rows, ['kernel', 'calls / pass', 'ms / pass', 'share'], 'num') +
    `<details><summary>as text</summary><pre>${esc(formatProfile(p.rows, 40))}</pre></details>`);
}

/** Held-out accuracy (class, location, type) per validation and the training batches' class accuracy. */
async function accuracyChart(run: RunData): Promise<string> {
  const points: { step: number; value: number; series: string }[] = [];
  for (const v of run.val) {
    if (!v.valAccuracy) continue;
    points.push({ step: v.step, value: v.valAccuracy.class, series: 'held-out class' });
    points.push({ step: v.step, value: v.valAccuracy.location, series: 'held-out location' });
    points.push({ step: v.step, value: v.valAccuracy.type, series: 'held-out type' });
    if (v.valAccuracy.binary !== undefined) points.push({ step: v.step, value: v.valAccuracy.binary, series: 'held-out binary' });
  }
  const acc = run.train.filter((m) => typeof m.trainAcc === 'number');
  const rolling = (i: number, f: (m: TrainPoint) => number) => acc.slice(i - 19, i + 1).reduce((s, m) => s + f(m), 0) / 20;
  for (let i = 19; i < acc.length; i += 10) {
    points.push({ step: acc[i].step, value: rolling(i, (m) => m.trainAcc!), series: 'train class' });
    if (acc[i].trainBinaryAcc !== undefined) points.push({ step: acc[i].step, value: rolling(i, (m) => m.trainBinaryAcc ?? 0), series: 'train binary' });
  }
  if (!points.length) return '';
  return inlineSvg(await renderSvg(seriesSpec(points, 'Discrepancy accuracy (nearest prototype)', 'accuracy', { yDomain: [0, 1] })));
}
