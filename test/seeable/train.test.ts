// The SeeABLE training loop end to end on a tiny configuration: it runs, logs, checkpoints, and a
// run interrupted after one step and resumed ends with the same weights as an uninterrupted one, and a
// checkpoint saved while the next batch was being drawn ahead records the RNG state before that batch.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, it } from 'node:test';
import { loadCheckpoint } from '../../src/io/checkpoint.ts';
import { resolveConfig } from '../../src/seeable/config.ts';
import { trainSeeable } from '../../src/seeable/train.ts';
import { setupGpu } from '../helpers/harness.ts';

const data = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data');
const dir = mkdtempSync(join(tmpdir(), 'seeable-train-'));
before(async () => {
  const gpu = await setupGpu();
  gpu.poison = false; // a training run allocates a lot; poisoning is for kernel tests
});
after(() => rmSync(dir, { recursive: true, force: true }));

const cfg = resolveConfig('tiny', { trainDir: join(data, 'train'), valDir: join(data, 'val'), steps: 2, valEvery: 2, ckptEvery: 1 });
const quiet = () => {};

it('a resumed run reaches the same weights as an uninterrupted one', { timeout: 600_000 }, async () => {
  const whole = await trainSeeable({ cfg, runDir: join(dir, 'whole'), log: quiet });
  assert.equal(whole.step, 2);
  assert.ok(whole.lastValAuc !== null && whole.lastValAuc >= 0 && whole.lastValAuc <= 1);
  const metrics = readFileSync(join(dir, 'whole', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(metrics.filter((m) => 'loss' in m).map((m) => m.step), [1, 2]);
  assert.ok(metrics.every((m) => !('loss' in m) || Number.isFinite(m.loss)));
  assert.ok(metrics.every((m) => !('loss' in m) || m.gain === 1), 'each step logs its curriculum gain (tiny: none)');
  assert.ok(existsSync(join(dir, 'whole', 'checkpoints', 'best.json')));
  assert.ok(!existsSync(join(dir, 'whole', 'run.lock')), 'a finished run releases its folder');
  // `seeable validate` on the trainer's own faces and seed reproduces the logged validation exactly
  const { validateCheckpoint } = await import('../../src/cli/validate.ts');
  const logged = metrics.find((m) => 'valAuc' in m);
  const v = await validateCheckpoint(join(dir, 'whole', 'checkpoints', 'best.json'), { faces: cfg.valFaces });
  assert.equal(v.faces, cfg.valFaces);
  assert.equal(v.auc, logged.valAuc);
  assert.deepEqual(v.aucByVariant, logged.valAucByVariant);
  assert.deepEqual(v.accuracy, logged.valAccuracy);

  const first = await trainSeeable({ cfg, runDir: join(dir, 'split'), log: quiet, maxStepsThisRun: 1 });
  assert.equal(first.step, 1);
  const second = await trainSeeable({ cfg, runDir: join(dir, 'split'), log: quiet });
  assert.equal(second.step, 2);

  // The whole run saved step 1 while step 2's batch was already drawn (prefetch); the split run saved it
  // with nothing drawn ahead: both must record the RNG states a resume needs to draw step 2's batch again.
  const a1 = loadCheckpoint(join(dir, 'whole', 'checkpoints', 'ckpt-00000001.json'));
  const b1 = loadCheckpoint(join(dir, 'split', 'checkpoints', 'ckpt-00000001.json'));
  assert.deepEqual(a1.meta.rngs, b1.meta.rngs);

  const a = loadCheckpoint(join(dir, 'whole', 'checkpoints'));
  const b = loadCheckpoint(join(dir, 'split', 'checkpoints'));
  assert.equal(a.meta.step, 2);
  assert.equal(b.meta.step, 2);
  for (const [name, t] of a.tensors) {
    const u = b.tensors.get(name);
    assert.ok(u, `resumed checkpoint lacks ${name}`);
    assert.deepEqual([...u.data], [...t.data], `${name} differs after resume`);
  }
});

it('mode (b): a pristine-class run logs the binary accuracy, validates the pristine score, and its checkpoint scores faces', { timeout: 600_000 }, async () => {
  const { loadDetector, scoreImage } = await import('../../src/seeable/detector.ts');
  const pcfg = resolveConfig('tiny', { trainDir: join(data, 'train'), valDir: join(data, 'val'), steps: 1, valEvery: 1, pristineFraction: 0.5, scoreVariant: 'pristine-margin' });
  assert.throws(() => resolveConfig('tiny', { scoreVariant: 'pristine-margin' }), /needs the pristine class/);
  assert.throws(() => resolveConfig('tiny', { pristineFraction: 1 }), /pristineFraction/);
  const run = join(dir, 'pristine');
  const r = await trainSeeable({ cfg: pcfg, runDir: run, log: quiet });
  assert.equal(r.step, 1);
  const metrics = readFileSync(join(run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const stepRow = metrics.find((m) => 'loss' in m);
  assert.ok(stepRow.trainBinaryAcc >= 0 && stepRow.trainBinaryAcc <= 1, JSON.stringify(stepRow));
  const valRow = metrics.find((m) => 'valAuc' in m);
  assert.equal(valRow.valAuc, valRow.valAucByVariant['pristine-margin']);
  assert.ok(valRow.valAccuracy.binary >= 0 && valRow.valAccuracy.binary <= 1);
  const ck = loadCheckpoint(join(run, 'checkpoints'));
  assert.equal(ck.tensors.get('extra.prototypes')!.data.length, (8 + 1) * pcfg.dim);

  const det = loadDetector(join(run, 'checkpoints'));
  const face = join(data, 'val', 'helen_te_2973812451_1.jpg');
  const scored = await scoreImage(det, face, 1);
  assert.ok(Number.isFinite(scored.score), scored.error);
  assert.equal(scored.perLocation!.length, 4);
  // the same checkpoint can also be scored the section-S way (K discrepancies; argmax over K + 1)
  const hitRate = loadDetector(join(run, 'checkpoints'), { scoreVariant: 'hit-rate' });
  const thresholds = ck.meta.info.thresholds as Record<string, number>;
  assert.equal(det.threshold, thresholds['pristine-margin']);
  assert.equal(hitRate.threshold, thresholds['hit-rate'], 'another variant uses its own calibrated threshold');
  const sectionS = await scoreImage(hitRate, face, 1);
  const s = sectionS.score ?? NaN;
  assert.ok(Number.isFinite(s) && s <= 0 && s >= -1, `${s}`);
});
