// `seeable report --profile N`: N training-size forward+backward passes of a checkpoint's network
// under the timestamp profiler. Its own process: initGpu({profile:true}) must be the first init.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import '../../src/gpu/node.ts';
import { initGpu } from '../../src/gpu/device.ts';
import { saveCheckpoint } from '../../src/io/checkpoint.ts';
import { profileCheckpoint } from '../../src/report/profile.ts';
import { resolveConfig } from '../../src/seeable/config.ts';
import { buildSeeable } from '../../src/seeable/setup.ts';

const tmp = mkdtempSync(join(tmpdir(), 'report-profile-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('profile of a checkpoint: forward and backward kernels, calls proportional to the passes', async () => {
  await initGpu({ profile: true, log: () => {} });
  const cfg = resolveConfig('tiny', { trainDir: '/none', valDir: '/none', batchFaces: 1, seed: 11 });
  const parts = buildSeeable(cfg);
  mkdirSync(join(tmp, 'checkpoints'));
  const ckpt = await saveCheckpoint(join(tmp, 'checkpoints'), { step: 0, epoch: 0, model: parts.net, extra: { prototypes: parts.prototypes }, info: { config: cfg } });
  const one = await profileCheckpoint(ckpt, 1);
  const two = await profileCheckpoint(ckpt, 2);
  assert.match(one.what, /1 × forward\+backward .* b0 at 32², batch 2 \(1 faces × 2 views\)/);
  assert.ok(one.rows.length > 5, `${one.rows.length} kernels`);
  for (const r of one.rows) assert.ok(r.calls >= 1 && Number.isFinite(r.totalMs) && r.totalMs >= 0, JSON.stringify(r));
  assert.ok(one.rows.reduce((s, r) => s + r.totalMs, 0) > 0, 'some GPU time');
  assert.ok(one.rows.some((r) => /grad/.test(r.kernel)), 'backward kernels were timed');
  const calls = (p: typeof one) => new Map(p.rows.map((r) => [r.kernel, r.calls]));
  const c1 = calls(one);
  const c2 = calls(two);
  assert.deepEqual([...c2.keys()].sort(), [...c1.keys()].sort());
  for (const [k, n] of c1) assert.equal(c2.get(k), 2 * n, `${k}: calls of 2 passes vs 1`);
  await assert.rejects(profileCheckpoint(ckpt, 0), /passes ≥ 1/);
});
