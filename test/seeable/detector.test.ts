// Scoring a photo: landmarks from landmarks.json when present, else our face detector; no face → an
// error entry naming the file.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import { saveCheckpoint } from '../../src/io/checkpoint.ts';
import { encodePng } from '../../src/io/images.ts';
import { resolveConfig } from '../../src/seeable/config.ts';
import { loadDetector, scoreImage } from '../../src/seeable/detector.ts';
import { buildSeeable } from '../../src/seeable/setup.ts';
import { setupGpu } from '../helpers/harness.ts';

const val = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'val');
const dir = mkdtempSync(join(tmpdir(), 'seeable-detector-'));
before(async () => ((await setupGpu()).poison = false));
after(() => rmSync(dir, { recursive: true, force: true }));

it('scores with file landmarks, with detected faces, and reports a photo without a face', { timeout: 300_000 }, async () => {
  const cfg = resolveConfig('tiny', {});
  const parts = buildSeeable(cfg);
  mkdirSync(join(dir, 'ck'));
  await saveCheckpoint(join(dir, 'ck'), { step: 0, epoch: 0, model: parts.net, extra: { prototypes: parts.prototypes }, info: { config: cfg, threshold: 0 } });
  const det = loadDetector(join(dir, 'ck'));

  const name = 'helen_te_2973812451_1.jpg';
  const withLm = await scoreImage(det, join(val, name), 1);
  assert.equal(withLm.landmarks, 'file', withLm.error);
  assert.ok(Number.isFinite(withLm.score));
  assert.equal(withLm.perLocation!.length, cfg.gridRows * cfg.gridCols);

  mkdirSync(join(dir, 'photos'));
  copyFileSync(join(val, name), join(dir, 'photos', name));
  const detected = await scoreImage(det, join(dir, 'photos', name), 1);
  assert.equal(detected.landmarks, 'detector', detected.error);
  assert.ok(detected.faces!.length >= 1 && detected.faces![0].box);
  assert.equal(detected.score, Math.max(...detected.faces!.map((f) => f.score)));

  writeFileSync(join(dir, 'photos', 'blank.png'), await encodePng({ width: 96, height: 96, data: new Uint8Array(96 * 96 * 3).fill(128) }));
  const blank = await scoreImage(det, join(dir, 'photos', 'blank.png'), 1);
  assert.equal(blank.score, null);
  assert.match(blank.error!, /blank\.png: no face found/);
});

