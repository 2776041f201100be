import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkpointExtra, copyCheckpoint, latestCheckpoint, loadCheckpoint, resolveCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.ts';
import { Linear } from '../../src/nn/linear.ts';
import { Adam } from '../../src/nn/optim/adam.ts';
import { mean } from '../../src/ops/reduce.ts';
import { square } from '../../src/ops/unary.ts';
import { randn } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { setupGpu } from '../helpers/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'seeable-ckpt-'));
before(setupGpu);
after(() => rmSync(dir, { recursive: true, force: true }));

function trainStep(model: Linear, opt: Adam, rng: Rng) {
  const x = randn([4, 5], { rng });
  tidy(() => mean(square(model.forward(x)))).backward();
  opt.step();
  model.zeroGrad();
  x.dispose();
}

describe('checkpoints', () => {
  it('restores weights, optimizer state and RNG streams exactly', async () => {
    const rng = new Rng(1);
    const model = new Linear(5, 3, { rng: new Rng(2) });
    const opt = new Adam(model.namedParameters(), { lr: 0.01 });
    for (let i = 0; i < 3; i++) trainStep(model, opt, rng);
    const protos = randn([4, 3], { rng: new Rng(9) });
    await saveCheckpoint(dir, { step: 3, epoch: 0, model, optimizer: opt, rngs: { data: rng }, extra: { prototypes: protos }, info: { note: 'x' } });
    // Continue the original for two steps.
    for (let i = 0; i < 2; i++) trainStep(model, opt, rng);
    const want = await model.weight.read();

    const model2 = new Linear(5, 3, { rng: new Rng(77) });
    const opt2 = new Adam(model2.namedParameters(), { lr: 0.01 });
    const rng2 = new Rng(12345);
    const ck = loadCheckpoint(dir);
    restoreCheckpoint(ck, { model: model2, optimizer: opt2, rngs: { data: rng2 } });
    assert.equal(ck.meta.step, 3);
    assert.deepEqual(ck.meta.info, { note: 'x' });
    assert.deepEqual([...(await checkpointExtra(ck, 'prototypes').read())], [...(await protos.read())]);
    for (let i = 0; i < 2; i++) trainStep(model2, opt2, rng2);
    assert.deepEqual([...(await model2.weight.read())], [...want], 'resumed run matches bit for bit');
  });

  it('keeps the newest checkpoints and points latest.json at the last', async () => {
    const model = new Linear(2, 2, { rng: new Rng(3) });
    for (const step of [10, 20, 30, 40]) await saveCheckpoint(dir, { step, epoch: 1, model }, { keep: 2 });
    const files = readdirSync(dir).filter((f) => f.startsWith('ckpt-')).sort();
    assert.deepEqual(files, ['ckpt-00000030.json', 'ckpt-00000030.safetensors', 'ckpt-00000040.json', 'ckpt-00000040.safetensors']);
    assert.match(latestCheckpoint(dir)!, /ckpt-00000040\.json$/);
    assert.ok(!readdirSync(dir).some((f) => f.includes('.tmp-')), 'no temp files left');
  });

  it('resolves a run folder to its best checkpoint, else its latest', async () => {
    const run = mkdtempSync(join(tmpdir(), 'seeable-run-'));
    try {
      const ckDir = join(run, 'checkpoints');
      mkdirSync(ckDir);
      const model = new Linear(2, 2, { rng: new Rng(4) });
      await saveCheckpoint(ckDir, { step: 5, epoch: 0, model });
      assert.equal(resolveCheckpoint(run), join(ckDir, 'ckpt-00000005.json'), 'no best yet: the latest');
      await saveCheckpoint(ckDir, { step: 5, epoch: 0, model }, { name: 'best' });
      await saveCheckpoint(ckDir, { step: 9, epoch: 0, model });
      assert.equal(resolveCheckpoint(run), join(ckDir, 'best.json'));
      assert.equal(resolveCheckpoint(ckDir), join(ckDir, 'ckpt-00000009.json'), 'a checkpoints folder: its latest');
      assert.equal(loadCheckpoint(run).meta.step, 5);
      assert.equal(resolveCheckpoint(join(run, 'nothing')), null);
      assert.throws(() => loadCheckpoint(join(run, 'nothing')), /nothing: no checkpoint here \(give a checkpoint JSON/);
    } finally {
      rmSync(run, { recursive: true, force: true });
    }
  });

  it('copies a checkpoint under another name with extra info, loadable and equal', async () => {
    const sub = mkdtempSync(join(dir, 'copy-'));
    const model = new Linear(3, 2, { rng: new Rng(6) });
    const rng = new Rng(8);
    rng.normal(); // the state then holds a cached spare normal, which the copy keeps
    const src = await saveCheckpoint(sub, { step: 7, epoch: 0, model, rngs: { data: rng }, info: { a: 1 } });
    const best = copyCheckpoint(src, 'best', { selectedBy: 'test' });
    assert.equal(best, join(sub, 'best.json'));
    const a = loadCheckpoint(src);
    const b = loadCheckpoint(best);
    assert.equal(b.meta.step, 7);
    assert.deepEqual(b.meta.info, { a: 1, selectedBy: 'test' });
    assert.deepEqual(b.meta.rngs, a.meta.rngs);
    for (const [name, t] of a.tensors) assert.deepEqual([...b.tensors.get(name)!.data], [...t.data], name);
    assert.match(latestCheckpoint(sub)!, /ckpt-00000007\.json$/, 'latest.json still names the source');
    assert.throws(() => copyCheckpoint(join(sub, 'missing.json'), 'best'), /missing\.json: cannot read the checkpoint/);
  });

  it('detects a corrupted tensor file and names it', async () => {
    const path = latestCheckpoint(dir)!;
    const tfile = path.replace(/\.json$/, '.safetensors');
    const bytes = readFileSync(tfile);
    bytes[bytes.length - 1] ^= 0xff;
    writeFileSync(tfile, bytes);
    assert.throws(() => loadCheckpoint(dir), /ckpt-00000040\.safetensors: sha256 .* differs/);
  });

  it('refuses a model of another shape, naming the tensor', async () => {
    const d2 = mkdtempSync(join(tmpdir(), 'seeable-ckpt2-'));
    try {
      await saveCheckpoint(d2, { step: 1, epoch: 0, model: new Linear(3, 2, { rng: new Rng(1) }) });
      assert.throws(() => restoreCheckpoint(loadCheckpoint(d2), { model: new Linear(4, 2, { rng: new Rng(1) }) }), /"weight" is \[2,3\] in the checkpoint, \[2,4\] in the model/);
    } finally {
      rmSync(d2, { recursive: true, force: true });
    }
  });
});
