// `seeable report` on a real tiny run, end to end: `seeable train` (tiny preset, 3 steps, one
// validation), `seeable eval` on a few test faces (landmarks from the folders' landmarks.json) and
// `seeable report --profile 1` (GPU timestamps of one training-size pass). The page carries the run's
// own numbers — the last loss and validation AUC from metrics.jsonl, eval.json's ROC-AUC, the
// per-location means of scores.csv, the profiled kernels — and the gallery of the run's classes;
// it renders in headless Chromium, where a screenshot is saved (path printed).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, it } from 'node:test';
import { fmt, meanVector } from '../../src/report/heatmap.ts';
import { parseScoresCsv } from '../../src/report/scores-csv.ts';
import { CHROMIUM, launchBrowser, serveDir } from '../helpers/browser.ts';

const root = resolve(import.meta.dirname, '..', '..');
const data = resolve(root, '..', 'shared', 'data');
const SHOT = join(process.env.SEEABLE_OUT ?? tmpdir(), 'seeable-report-tiny-run.png');
const tmp = mkdtempSync(join(tmpdir(), 'report-run-'));
const run = join(tmp, 'run');
const skip = !existsSync(join(data, 'test', 'fake')) ? 'no ../shared/data' : false;
after(() => rmSync(tmp, { recursive: true, force: true }));

it('train → eval → report: the page shows the run\'s own numbers, and renders in Chromium', { skip, timeout: 600_000 }, async () => {
  // The CLI in processes of its own, as a user runs it: the run records its command line, and
  // profiling needs a device created with timestamp queries.
  const cli = (...args: string[]) => promisify(execFile)(process.execPath, ['bin/seeable.js', ...args], { cwd: root });
  const sets = { trainDir: join(data, 'train'), valDir: join(data, 'val'), steps: 3, valEvery: 3 };
  await cli('train', '--preset', 'tiny', '--run', run, ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]));
  await cli('eval', '--checkpoint', join(run, 'checkpoints'), '--real', join(data, 'test', 'real'), '--fake', join(data, 'test', 'fake'), '--limit', '3', '--out', join(run, 'eval'));
  await cli('report', run, '--profile', '1', '--gallery-faces', '1');
  const html = readFileSync(join(run, 'report.html'), 'utf8');

  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const losses = metrics.filter((m) => 'loss' in m);
  const vals = metrics.filter((m) => 'valAuc' in m);
  assert.equal(losses.length, 3, 'three training steps logged');
  assert.ok(vals.length >= 1, 'a validation logged');
  const last = losses.at(-1)!;
  assert.ok(html.includes(`${fmt(last.loss)} / ${fmt(last.bcr)} / ${fmt(last.gui)}`), 'the last loss');
  assert.ok(html.includes(`${vals.at(-1).valAuc.toFixed(4)} (`), 'the last validation AUC');
  const { command } = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.match(command, /seeable\.js train --preset tiny --run /);
  assert.ok(html.includes(command.replace(/&/g, '&amp;')), `the command: ${command}`);
  const ev = JSON.parse(readFileSync(join(run, 'eval', 'eval.json'), 'utf8'));
  assert.equal(ev.counts.real + ev.counts.fake + ev.counts.unscored, 6);
  assert.ok(html.includes(`<td>${ev.auc.toFixed(4)}</td>`), 'eval.json\'s ROC-AUC');
  const rows = parseScoresCsv(readFileSync(join(run, 'eval', 'scores.csv'), 'utf8'));
  const fakeMean = meanVector(rows.filter((r) => r.label === 'fake' && r.perLocation).map((r) => r.perLocation!))!.mean;
  assert.equal(fakeMean.length, 4, '2×2 grid');
  fakeMean.forEach((v, i) => assert.ok(html.includes(`<title>cell ${i} (row ${i >> 1}, col ${i & 1}): ${fmt(v)}</title>`), `fake cell ${i}`));
  // The histogram counts whole faces: with 3 a side its axis must not tick at 0.2 faces.
  const axis = html.slice(html.indexOf('aria-label="Y-axis titled \'faces\''));
  const ticks = [...axis.slice(0, axis.indexOf('role-axis-domain')).matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]);
  assert.ok(ticks.length >= 2 && ticks.every((t) => /^\d+$/.test(t)), `histogram count ticks ${ticks}`);
  const profile = JSON.parse(readFileSync(join(run, 'profile.json'), 'utf8')) as { rows: { kernel: string }[] };
  assert.ok(profile.rows.length > 5 && profile.rows.some((r) => r.kernel.startsWith('depthwise')), 'profiled kernels');
  for (const r of profile.rows.slice(0, 3)) assert.ok(html.includes(`<td>${r.kernel}</td>`), `profile row ${r.kernel}`);
  // (ok(test()) rather than match(): a failure should not print the whole page)
  assert.ok(/<img class="gallery" alt="[^"]*" src="data:image\/png;base64,/.test(html), 'the gallery');
  assert.deepEqual([...html.matchAll(/<p class="note">([^<]*)/g)].map((m) => m[1]), [], 'notes of missing pieces');

  if (!existsSync(CHROMIUM)) return;
  const { server, url } = await serveDir(run);
  const b = await launchBrowser();
  try {
    await b.page.setViewportSize({ width: 1200, height: 900 });
    await b.page.goto(`${url}/report.html`);
    assert.equal(await b.page.$$eval('section', (els) => els.length), 6);
    const svgs = await b.page.$$eval('section svg', (els) => els.map((e) => e.getBoundingClientRect().width));
    assert.ok(svgs.length >= 6 && svgs.every((w) => w > 50), `svg widths ${svgs}`);
    const img = await b.page.$eval('img.gallery', (e) => [(e as HTMLImageElement).naturalWidth, (e as HTMLImageElement).complete]);
    assert.ok(img[1] && Number(img[0]) > 0, 'the gallery PNG decodes');
    await b.page.screenshot({ path: SHOT, fullPage: true });
    console.log(`# report screenshot: ${SHOT}`);
  } finally {
    await b.close();
    server.close();
  }
});
