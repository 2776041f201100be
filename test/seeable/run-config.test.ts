// config.json across resumes: a fresh run writes it; a resume with the same settings leaves it alone;
// one that changes training settings (steps, lr) is recorded; one that changes the model is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { resolveConfig } from '../../src/seeable/config.ts';
import { recordRunConfig, type RunConfigFile } from '../../src/seeable/run-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'run-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const read = () => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as RunConfigFile;

it('quick and long share the CPU recipe; they differ in length, curriculum and score (runs/g45, runs/long-a)', () => {
  const quick = resolveConfig('quick');
  const long = resolveConfig('long');
  const differ = Object.keys(quick).filter((k) => quick[k as keyof typeof quick] !== long[k as keyof typeof long]).sort();
  assert.deepEqual(differ, ['curriculumFraction', 'curriculumGain', 'scoreVariant', 'steps', 'valEvery']);
  assert.deepEqual([quick.steps, quick.curriculumGain, quick.curriculumFraction, quick.scoreVariant], [1200, 4.5, 0.7, 'max-cos']);
  assert.deepEqual([long.steps, long.curriculumGain, long.curriculumFraction, long.scoreVariant], [4000, 6, 0.75, 'norm-cos']);
});

it('records a resume that changes settings and refuses one that changes the model', () => {
  const cfg = resolveConfig('long');
  assert.equal(recordRunConfig(dir, cfg, 'train --run r', null), null);
  assert.deepEqual(read(), { config: cfg, command: 'train --run r' });

  assert.equal(recordRunConfig(dir, cfg, 'train --run r', 1200), null, 'same settings: nothing to record');
  assert.equal(read().resumes, undefined);

  const longer = resolveConfig('long', { steps: 8000, curriculumFraction: 0.375 });
  const rec = recordRunConfig(dir, longer, 'train --run r --set steps=8000', 4000);
  assert.deepEqual(rec, { step: 4000, command: 'train --run r --set steps=8000', changed: { steps: { from: 4000, to: 8000 }, curriculumFraction: { from: 0.75, to: 0.375 } } });
  const file = read();
  assert.equal(file.command, 'train --run r', 'the starting command stays');
  assert.equal(file.config.steps, 8000, 'config.json holds the settings the run goes on with');
  assert.equal(file.resumes!.length, 1);

  const lr = recordRunConfig(dir, { ...longer, lr: 5e-4 }, 'again', 6000);
  assert.deepEqual(lr?.changed, { lr: { from: 1e-3, to: 5e-4 } });
  assert.equal(read().resumes!.length, 2, 'resumes accumulate');

  const before = readFileSync(join(dir, 'config.json'), 'utf8');
  assert.throws(() => recordRunConfig(dir, { ...longer, lr: 5e-4, backbone: 'b1' }, 'x', 7000), /other model settings \(backbone "b0" → "b1"\)/);
  assert.throws(() => recordRunConfig(dir, { ...longer, lr: 5e-4, seed: 9 }, 'x', 7000), /seed 5 → 9/);
  assert.throws(() => recordRunConfig(dir, { ...longer, lr: 5e-4, pristineFraction: 0.5 }, 'x', 7000), /pristineFraction 0 → 0.5/);
  assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), before, 'a refused resume writes nothing');
});
