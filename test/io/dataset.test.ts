import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { formatSkipped, readSplit } from '../../src/io/dataset.ts';
import { makeSplit } from './fixtures.ts';

describe('readSplit validation', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'seeable-split-'));
    await makeSplit(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('keeps the good faces and names every skipped file with its problem', async () => {
    const sp = await readSplit(dir);
    assert.deepEqual(sp.entries.map((e) => e.file), ['edge.jpg', 'good.jpg', 'good2.png']);
    assert.equal(sp.entries[1].width, 64);
    assert.equal(sp.entries[1].height, 72);
    assert.equal(sp.entries[0].nearEdge, true);
    assert.equal(sp.entries[1].nearEdge, false);
    const why = Object.fromEntries(sp.skipped.map((s) => [s.file, s.reason]));
    assert.deepEqual(Object.keys(why).sort(), ['corrupt.jpg', 'flat.jpg', 'garbage.jpg', 'nan.jpg', 'nolandmarks.jpg', 'orphan.jpg', 'outside.jpg', 'short.jpg']);
    assert.match(why['flat.jpg'], /degenerate landmarks: their box is 0\.0×0\.0 px/);
    assert.match(why['corrupt.jpg'], /^unreadable image: /);
    assert.match(why['garbage.jpg'], /^unreadable image: /);
    assert.match(why['nolandmarks.jpg'], /no entry in landmarks\.json/);
    assert.match(why['orphan.jpg'], /no image file/);
    assert.match(why['outside.jpg'], /landmark \d+ \(.*\) lies [\d.]+ px outside the 64×72 image/);
    assert.match(why['short.jpg'], /malformed landmarks: expected 68 points, got 67/);
    assert.match(why['nan.jpg'], /malformed landmarks: point 3 has a non-finite/);
    const text = formatSkipped('tmp', sp.skipped);
    assert.match(text, /^tmp: 8 skipped/);
    for (const f of Object.keys(why)) assert.ok(text.includes(`  ${f}: `), `${f} missing from the summary`);
  });

  it('header-only mode misses the truncated JPEG but still rejects garbage', async () => {
    const sp = await readSplit(dir, { decode: false });
    const skipped = sp.skipped.map((s) => s.file);
    assert.ok(skipped.includes('garbage.jpg'));
    assert.ok(!skipped.includes('corrupt.jpg'));
  });

  it('a tighter tolerance rejects the near-edge face; a missing landmarks.json is an error naming it', async () => {
    const sp = await readSplit(dir, { outsideTolerance: 0 });
    assert.ok(sp.skipped.some((s) => s.file === 'edge.jpg' && /landmark 8 .* outside/.test(s.reason)));
    await assert.rejects(readSplit(join(dir, 'nope')), /Cannot list split folder .*nope/);
    const empty = await mkdtemp(join(tmpdir(), 'seeable-empty-'));
    await assert.rejects(readSplit(empty), /Cannot read .*landmarks\.json/);
    await rm(empty, { recursive: true });
  });
});
