// Resume after a hard kill: a child process trains a reduced EfficientNet with checkpoints every
// 2 steps and is SIGKILLed between checkpoints (after step 5, checkpoint 4 on disk); a new process
// resumes from the folder and finishes. Its final weights, BN statistics and everything else in
// the state must equal an uninterrupted run's bit for bit (same kernels, same order, the data and
// drop-connect RNG streams restored from the checkpoint).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSafetensors } from '../../src/io/safetensors.ts';

const STEPS = 8;
const EVERY = 2;
const KILL_AFTER = 5;
const root = mkdtempSync(join(tmpdir(), 'seeable-resume-'));
after(() => rmSync(root, { recursive: true, force: true }));

const trainerArgs = (dir: string, out: string) => ['--import', 'tsx', 'test/io/resume-trainer.ts', dir, String(STEPS), String(EVERY), out];

function runToEnd(dir: string, out: string): string {
  const r = spawnSync(process.execPath, trainerArgs(dir, out), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

/** Start a run and SIGKILL it as soon as it reports `step KILL_AFTER`. */
function runAndKill(dir: string, out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, trainerArgs(dir, out), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes(`step ${KILL_AFTER}\n`)) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(stdout) : reject(new Error(`trainer exited ${code} before the kill:\n${stdout}`))));
  });
}

describe('checkpoint resume', () => {
  it('a run killed with SIGKILL and resumed ends bit-identical to an uninterrupted run', async () => {
    const t0 = performance.now();
    const straight = join(root, 'straight');
    runToEnd(straight, join(root, 'straight.safetensors'));
    const tStraight = performance.now();

    const killed = join(root, 'killed');
    const before = await runAndKill(killed, join(root, 'killed.safetensors'));
    assert.ok(before.includes(`checkpoint ${KILL_AFTER - 1}`) && !before.includes('done'), before);
    const resumed = runToEnd(killed, join(root, 'killed.safetensors'));
    assert.match(resumed, new RegExp(`^resumed ${KILL_AFTER - 1}\\nstep ${KILL_AFTER}\\n`));

    const a = parseSafetensors(readFileSync(join(root, 'straight.safetensors'))).tensors;
    const b = parseSafetensors(readFileSync(join(root, 'killed.safetensors'))).tensors;
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    let moved = 0;
    for (const [name, t] of a) {
      const u = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
      const v = new Uint32Array(b.get(name)!.data.buffer, b.get(name)!.data.byteOffset, t.data.length);
      assert.deepEqual(v, u, `${name} differs after resume`);
      if (name.endsWith('running_mean')) moved += t.data.some((x) => x !== 0) ? 1 : 0;
    }
    assert.ok(moved > 0, 'training changed the state');
    console.log(`# resume test: uninterrupted ${((tStraight - t0) / 1000).toFixed(1)} s, killed + resumed ${((performance.now() - tStraight) / 1000).toFixed(1)} s`);
  });
});
