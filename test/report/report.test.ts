// `seeable report`: a report rendered from a hand-written run folder holds every section with the
// run's own numbers and valid, id-unique SVG; missing pieces become notes, never a crash; the page
// loads nothing from outside itself in headless Chromium, where a screenshot is saved (path printed).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { averagePrecision, equalErrorRate, rocAuc } from '../../src/seeable/metrics.ts';
import { fmt, heatmapSvg, meanVector } from '../../src/report/heatmap.ts';
import { parseScoresCsv } from '../../src/report/scores-csv.ts';
import { writeReport } from '../../src/report/write.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { CHROMIUM, launchBrowser, serveDir } from '../helpers/browser.ts';

const tmp = mkdtempSync(join(tmpdir(), 'report-test-'));
const SHOT = join(process.env.SEEABLE_OUT ?? tmpdir(), 'seeable-report.png');
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A random-but-seeded run folder: 7 steps, 2 validations, 2 checkpoints, an eval of 9 real + 11 fake. */
function makeRun(dir: string, seed: number, opts: { locColumns?: boolean } = {}) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  mkdirSync(join(dir, 'checkpoints'), { recursive: true });
  mkdirSync(join(dir, 'eval'), { recursive: true });
  const config = { backbone: 'b0', size: 48, gridRows: 2, gridCols: 3, types: 'sbi2', steps: 7, lr: 0.00123, valDir: '/nonexistent/val' };
  const command = `seeable train --preset tiny --set steps=7 --run ${dir}`;
  const resumes = [{ step: 4, command: `${command} --set lr=0.00123`, changed: { lr: { from: 0.001, to: 0.00123 } } }];
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ config, command, resumes }));
  const train = Array.from({ length: 7 }, (_, i) => ({ step: i + 1, loss: 3 + rnd(), bcr: 2.5 + rnd(), gui: rnd(), lr: 0.00123, imagesPerSecond: 1 + rnd(), elapsedS: 2 * (i + 1) }));
  const val = [{ step: 4, valAuc: 0.5 + 0.4 * rnd(), threshold: rnd() }, { step: 7, valAuc: 0.5 + 0.4 * rnd(), threshold: rnd() }];
  const lines = [...train.slice(0, 4), val[0], ...train.slice(4), val[1]].map((m) => JSON.stringify(m));
  writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n{"step": 8, "loss"'); // torn last line
  writeFileSync(join(dir, 'checkpoints', 'ckpt-00000007.json'), JSON.stringify({ step: 7 }));
  writeFileSync(join(dir, 'checkpoints', 'ckpt-00000004.json'), JSON.stringify({ step: 4 }));
  writeFileSync(join(dir, 'checkpoints', 'latest.json'), JSON.stringify({ checkpoint: 'ckpt-00000007.json' }));
  const rows: { label: 'real' | 'fake'; score: number; locs: number[] }[] = [];
  for (const [label, n, shift] of [['real', 9, 0], ['fake', 11, 0.7]] as const) {
    for (let i = 0; i < n; i++) rows.push({ label, score: rnd() + shift, locs: Array.from({ length: 6 }, () => rnd() * 10 - 3 + shift) });
  }
  const head = ['file,label,score,fake_at_threshold', ...(opts.locColumns === false ? [] : [0, 1, 2, 3, 4, 5].map((i) => `loc_${i}`))].join(',');
  const csv = [head, ...rows.map((r, i) => [`"/data/${r.label}/face,${i}.jpg"`, r.label, r.score, r.score > 0.5, ...(opts.locColumns === false ? [] : r.locs)].join(','))];
  csv.push(['/data/fake/broken.jpg', 'fake', '', '', ...(opts.locColumns === false ? [] : ['', '', '', '', '', ''])].join(','));
  writeFileSync(join(dir, 'eval', 'scores.csv'), csv.join('\n') + '\n');
  const real = rows.filter((r) => r.label === 'real').map((r) => r.score);
  const fake = rows.filter((r) => r.label === 'fake').map((r) => r.score);
  const { eer, threshold } = equalErrorRate(real, fake);
  const summary = { auc: rocAuc(real, fake), ap: averagePrecision(real, fake), eer, eerThreshold: threshold, counts: { real: 9, fake: 11, unscored: 1 }, unscored: ['/data/fake/broken.jpg: no landmarks'], checkpoint: join(dir, 'checkpoints', 'best.json') };
  writeFileSync(join(dir, 'eval', 'eval.json'), JSON.stringify(summary));
  const profile = { what: '3 × forward+backward', passes: 3, rows: [{ kernel: 'matmul_blocked:main', calls: 30, totalMs: 12.5 + rnd() }, { kernel: 'depthwise:forward', calls: 9, totalMs: 4.25 }] };
  writeFileSync(join(dir, 'profile.json'), JSON.stringify(profile));
  return { config, command, train, val, rows, summary, profile, real, fake };
}

const count = (s: string, sub: string | RegExp) => (typeof sub === 'string' ? s.split(sub).length - 1 : (s.match(sub) ?? []).length);

describe('seeable report', () => {
  const dir = join(tmp, 'run-full');
  const run = makeRun(dir, 12345);
  let html = '';

  test('a complete run: every section, its numbers, and inline SVG charts', async () => {
    const r = await writeReport(dir, { gallery: false });
    assert.equal(r.path, join(dir, 'report.html'));
    html = readFileSync(r.path, 'utf8');
    assert.match(html, /^<!doctype html>/);
    for (const id of ['config', 'training', 'evaluation', 'locations', 'gallery', 'profile']) assert.ok(html.includes(`<section id="${id}">`), `section ${id}`);
    // The configuration and the command (HTML-escaped as written).
    assert.ok(html.includes(run.command.replace(/&/g, '&amp;')));
    assert.ok(html.includes('at step 4: lr 0.001 → 0.00123'), 'a resume that changed a setting is listed');
    assert.ok(html.includes('<td>0.00123</td>') && html.includes('<td>b0</td>'));
    assert.match(html, /latest ckpt-00000007\.json at step 7/);
    // Curves: the loss chart and the validation chart as SVG; the last loss in the table.
    assert.ok(html.includes('Training loss') && html.includes('One-class validation AUC'));
    const last = run.train.at(-1)!;
    assert.ok(html.includes(`${fmt(last.loss)} / ${fmt(last.bcr)} / ${fmt(last.gui)}`));
    // Evaluation: eval.json's numbers, the ROC legend's AUC recomputed from scores.csv (the
    // unscored row dropped, the quoted file name with a comma parsed), and the histogram.
    for (const v of [run.summary.auc, run.summary.ap, run.summary.eer]) assert.ok(html.includes(`<td>${v.toFixed(4)}</td>`) || html.includes(`<td>${v.toFixed(4)} at`), `metric ${v}`);
    assert.ok(html.includes(`SeeABLE (AUC ${rocAuc(run.real, run.fake).toFixed(3)})`));
    assert.ok(html.includes(`>EER ${run.summary.eer.toFixed(3)}</text>`), 'the equal-error point on the ROC');
    assert.ok(html.includes('ROC (9 real, 11 fake)') && html.includes('Anomaly scores: real vs fake'));
    assert.ok(html.includes('1 face(s) not scorable'));
    // Heat maps: the mean per-location score of the fakes, cell by cell, in a 2×3 grid.
    const fakeMean = meanVector(run.rows.filter((r) => r.label === 'fake').map((r) => r.locs))!.mean;
    const realMean = meanVector(run.rows.filter((r) => r.label === 'real').map((r) => r.locs))!.mean;
    fakeMean.forEach((v, i) => assert.ok(html.includes(`<title>cell ${i} (row ${Math.floor(i / 3)}, col ${i % 3}): ${fmt(v)}</title>`), `fake cell ${i}`));
    realMean.forEach((v) => assert.ok(html.includes(`>${fmt(v)}</text>`)));
    assert.ok(html.includes('fakes (mean of 11)') && html.includes('reals (mean of 9)') && html.includes('grid 2×3'));
    // Profile: per pass.
    assert.ok(html.includes(`<td>${(run.profile.rows[0].totalMs / 3).toFixed(3)}</td>`) && html.includes('<td>depthwise:forward</td>'));
    assert.ok(html.includes(`<td>${(4.25 / 3).toFixed(3)}</td>`));
    // SVG: 2 training + 2 evaluation charts + 3 heat maps, balanced, with unique ids.
    assert.equal(count(html, '<svg'), 7);
    assert.equal(count(html, '</svg>'), 7);
    const ids = [...html.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
    for (const m of html.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(m[1]), `dangling url(#${m[1]})`);
    // Self-contained: no script, no stylesheet link, no remote source.
    assert.doesNotMatch(html, /<script|<link|src="http|href="http/);
    // The only note: the gallery that was turned off.
    assert.equal(count(html, 'class="note"'), 1);
    assert.ok(html.includes('gallery not drawn'));
  });

  test('missing pieces are notes, not crashes', async () => {
    const bare = join(tmp, 'run-bare');
    mkdirSync(bare);
    const r0 = await writeReport(bare, { gallery: {} });
    const h0 = readFileSync(r0.path, 'utf8');
    assert.match(h0, /no config\.json/);
    assert.match(h0, /no metrics\.jsonl yet/);
    assert.match(h0, /no evaluation yet/);
    assert.match(h0, /no kernel profile/);
    assert.match(h0, /gallery could not be drawn/);
    assert.equal(count(h0, '<svg'), 0);
    // Config only, one training step, an old scores.csv without per-location columns, no eval.json.
    const part = join(tmp, 'run-part');
    makeRun(part, 7, { locColumns: false });
    rmSync(join(part, 'eval', 'eval.json'));
    rmSync(join(part, 'profile.json'));
    writeFileSync(join(part, 'metrics.jsonl'), JSON.stringify({ step: 1, loss: 2, bcr: 1.9, gui: 1, lr: 1e-3, imagesPerSecond: 1, elapsedS: 1 }) + '\n');
    const h1 = readFileSync((await writeReport(part, { gallery: false })).path, 'utf8');
    assert.match(h1, /no validation AUC logged yet/);
    assert.match(h1, /no per-location columns/);
    assert.match(h1, /SeeABLE \(AUC /, 'ROC from scores.csv alone');
    assert.match(h1, /no kernel profile/);
    assert.equal(count(h1, '<svg'), 3); // loss, ROC, histogram
    await assert.rejects(writeReport(join(tmp, 'no-such-run')), /no such run folder/);
  });

  test('the CLI: seeable report RUN_DIR --no-gallery --eval DIR --profile-json FILE --out FILE', async () => {
    const out = join(tmp, 'cli-report.html');
    const other = join(tmp, 'run-other');
    const o = makeRun(other, 99);
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      await buildProgram().exitOverride().parseAsync(['node', 'seeable', 'report', dir, '--no-gallery', '--eval', join(other, 'eval'), '--profile-json', join(other, 'profile.json'), '--out', out]);
    } finally {
      console.log = log;
    }
    assert.match(lines.join('\n'), new RegExp(`wrote ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ KiB\\)$`));
    const h = readFileSync(out, 'utf8');
    assert.ok(h.includes(`from ${join(other, 'eval')}`) && h.includes(`<td>${o.summary.auc.toFixed(4)}</td>`), 'the other eval folder');
    assert.ok(h.includes(`<td>${(o.profile.rows[0].totalMs / 3).toFixed(3)}</td>`), 'the other profile');
    assert.ok(h.includes(run.command.replace(/&/g, '&amp;')), 'the run\'s own config');
    assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('.cli-report.html.tmp')), [], 'no temp file left by the atomic write');
  });

  test('scores.csv parsing: quoted names, unscored rows, per-location columns in any order', () => {
    const rows = parseScoresCsv('label,file,score,loc_1,loc_0\nreal,"a ""b"", c.jpg",0.5,2,1\nfake,d.jpg,,,\n');
    assert.deepEqual(rows[0], { file: 'a "b", c.jpg', label: 'real', score: 0.5, fake: null, perLocation: [1, 2] });
    assert.deepEqual(rows[1], { file: 'd.jpg', label: 'fake', score: null, fake: null, perLocation: null });
    assert.throws(() => parseScoresCsv('file,label,score\nx,maybe,1\n'), /neither real nor fake/);
    assert.throws(() => parseScoresCsv('a,b\n1,2\n'), /lacks file,label,score/);
  });

  test('heat map: one cell per value, colours ordered by value, shape checked', () => {
    const svg = heatmapSvg([0, 1, 2, 3], 2, 2, { title: 't', lo: 0, hi: 3 });
    const fills = [...svg.matchAll(/<rect x="\d+" y="\d+" width="\d+" height="\d+" fill="rgb\((\d+),(\d+),(\d+)\)"/g)].map((m) => [1, 2, 3].map((k) => Number(m[k])));
    assert.equal(fills.length, 4);
    assert.notDeepEqual(fills[0], fills[3]);
    assert.ok(fills[3][0] + fills[3][1] > fills[0][0] + fills[0][1], 'higher value, brighter cell');
    assert.throws(() => heatmapSvg([1, 2, 3], 2, 2, { title: 't', lo: 0, hi: 1 }), /3 values for a 2×2 grid/);
  });

  const data = resolve(import.meta.dirname, '../../../shared/data');
  test('the gallery of the run\'s classes is inlined as a PNG', { skip: !existsSync(join(data, 'val')) && 'no ../shared/data/val' }, async () => {
    const g = join(tmp, 'run-gallery');
    makeRun(g, 3);
    const r = await writeReport(g, { gallery: { faces: 1, size: 64, data, split: 'val' } });
    const h = readFileSync(r.path, 'utf8');
    const m = /<img class="gallery" alt="[^"]*" src="data:image\/png;base64,([^"]+)"/.exec(h);
    assert.ok(m, 'gallery image');
    const png = Buffer.from(m[1], 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    assert.ok(h.includes('grid 2×3, types sbi2'));
    assert.equal(count(h, 'class="note"'), 0);
  });

  test('the page renders in Chromium without fetching anything', { skip: !existsSync(CHROMIUM) && 'no chromium' }, async () => {
    assert.ok(html, 'the first test wrote the report');
    const { server, url } = await serveDir(dir);
    const b = await launchBrowser();
    try {
      const requests: string[] = [];
      b.page.on('request', (q) => requests.push(q.url()));
      await b.page.goto(`${url}/report.html`);
      assert.deepEqual(requests, [`${url}/report.html`]);
      const sizes = await b.page.$$eval('section svg', (els) => els.map((e) => e.getBoundingClientRect().width));
      assert.equal(sizes.length, 7);
      for (const w of sizes) assert.ok(w > 50, `svg width ${w}`);
      assert.equal(await b.page.$$eval('section', (els) => els.length), 6);
      await b.page.setViewportSize({ width: 1200, height: 900 });
      await b.page.screenshot({ path: SHOT, fullPage: true });
      console.log(`# report screenshot: ${SHOT}`);
    } finally {
      await b.close();
      server.close();
    }
  });
});
