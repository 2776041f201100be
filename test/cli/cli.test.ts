import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { decodeImage } from '../../src/io/images.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { makeSplit } from '../io/fixtures.ts';

const run = async (args: string[]) => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'seeable', ...args]);
  } finally {
    console.log = log;
  }
  return lines.join('\n');
};

describe('seeable CLI', () => {
  let data = '';
  before(async () => {
    data = await mkdtemp(join(tmpdir(), 'seeable-cli-'));
    await mkdir(join(data, 'val'));
    await makeSplit(join(data, 'val'));
  });
  after(() => rm(data, { recursive: true, force: true }));

  it('prepare validates, lists the skipped files and writes a manifest', async () => {
    const out = join(data, 'manifest.json');
    const text = await run(['prepare', '--data', data, '--split', 'val', '--out', out]);
    assert.match(text, /val: 3 usable .* 8 skipped/);
    assert.match(text, /corrupt\.jpg: unreadable image/);
    const m = JSON.parse(await readFile(out, 'utf8'));
    assert.equal(m.splits.val.usable, 3);
    assert.equal(m.splits.val.skipped.length, 8);
    assert.equal(m.splits.val.filesSha256.length, 64);
  });

  it('gallery renders every class of one face into a PNG of the expected size', async () => {
    const out = join(data, 'gallery.png');
    const text = await run(['gallery', '--data', data, '--split', 'val', '--out', out, '--faces', '1', '--size', '32', '--seed', '2']);
    assert.match(text, /1 faces × 32 classes/);
    const png = await decodeImage(await readFile(out));
    const gap = 2;
    assert.equal(png.width, (1 + 2 * 4) * 32 + 2 * gap * 2); // original + two 4×4 type mosaics
    assert.equal(png.height, 30 + 2 * 4 * 32 + gap + gap); // label, images and differences, gaps
  });

  it('bin/seeable.js runs the CLI through tsx', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/seeable.js', '--help'], { cwd: join(import.meta.dirname, '..', '..') });
    assert.match(stdout, /prepare/);
    assert.match(stdout, /gallery/);
  });
});
