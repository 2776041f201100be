// `seeable faces` in a child process: one image and a folder, JSON on stdout, --draw output, and
// refusal of bad arguments with a non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';

const VAL = '/work/shared/data/val';
const dir = mkdtempSync(join(tmpdir(), 'seeable-faces-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const seeable = (...args: string[]) => spawnSync(process.execPath, ['bin/seeable.js', 'faces', ...args], { encoding: 'utf8' });

interface Face { box: { x: number; y: number; width: number; height: number }; score: number; landmarks68: [number, number][] }
interface Result { file: string; width: number; height: number; faces: Face[] }

/** The annotated landmarks' centre lies in the box and ours are close to the annotation. */
function checkAgainstAnnotation(r: Result, file: string) {
  const gt = (JSON.parse(readFileSync(join(VAL, 'landmarks.json'), 'utf8')) as Record<string, [number, number][]>)[file];
  assert.equal(r.faces.length, 1, `${file}: one face`);
  const f = r.faces[0];
  assert.equal(f.landmarks68.length, 68);
  const io = Math.hypot(gt[36][0] - gt[45][0], gt[36][1] - gt[45][1]);
  const err = f.landmarks68.reduce((a, [x, y], k) => a + Math.hypot(x - gt[k][0], y - gt[k][1]), 0) / 68 / io;
  assert.ok(f.score > 0.5 && f.score < 1, `score ${f.score}`);
  assert.ok(err < 0.15, `${file}: NME ${err}`);
}

test('one image: JSON and a drawn PNG of the same size', async () => {
  const out = join(dir, 'one.png');
  const r = seeable(join(VAL, 'lfw_real_1032.jpg'), '--draw', out);
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as Result;
  assert.deepEqual([res.width, res.height], [250, 250]);
  checkAgainstAnnotation(res, 'lfw_real_1032.jpg');
  const meta = await sharp(out).metadata();
  assert.deepEqual([meta.format, meta.width, meta.height], ['png', 250, 250]);
});

test('a folder: one result per image, a PNG each', async () => {
  const inDir = join(dir, 'in');
  rmSync(inDir, { recursive: true, force: true });
  spawnSync('mkdir', [inDir]);
  for (const f of ['helen_te_2973812451_1.jpg', 'lfw_real_1039.jpg']) copyFileSync(join(VAL, f), join(inDir, f));
  writeFileSync(join(inDir, 'notes.txt'), 'not an image');
  const r = seeable(inDir, '--draw', join(dir, 'drawn'), '--input-size', '320');
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(r.stdout) as Result[];
  assert.deepEqual(res.map((x) => x.file.split('/').pop()), ['helen_te_2973812451_1.jpg', 'lfw_real_1039.jpg']);
  for (const x of res) checkAgainstAnnotation(x, x.file.split('/').pop()!);
  for (const f of ['helen_te_2973812451_1.png', 'lfw_real_1039.png']) assert.equal((await sharp(join(dir, 'drawn', f)).metadata()).format, 'png');
});

test('bad arguments are refused', () => {
  for (const args of [[join(VAL, 'lfw_real_1032.jpg'), '--input-size', '300'], [join(VAL, 'lfw_real_1032.jpg'), '--score-threshold', '1.5'], [join(dir, 'missing.jpg')]]) {
    const r = seeable(...args);
    assert.notEqual(r.status, 0, args.join(' '));
    assert.match(r.stderr, /seeable: /);
  }
});
