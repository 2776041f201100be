// The run-folder lock: a second holder is refused with the first one's process named; a lock left by
// a process that is gone (a killed run) is taken over; release removes only our own lock.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { lockRunFolder } from '../../src/io/run-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'run-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const lockFile = join(dir, 'run.lock');

it('refuses a folder held by a live process and takes over a stale lock', () => {
  // held by a live process (our parent, which outlives this test)
  writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: '2026-01-01T00:00:00Z' }));
  assert.throws(() => lockRunFolder(dir), new RegExp(`in use by process ${process.ppid} \\(since 2026-01-01`));
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.ppid, 'a refused lock leaves the holder alone');

  // held by a process that has exited: stale
  const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
  writeFileSync(lockFile, JSON.stringify({ pid: gone, host: hostname(), startedAt: 'x' }));
  const lock = lockRunFolder(dir);
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).pid, process.pid);
  lock.release();
  assert.ok(!existsSync(lockFile), 'released');

  // a torn lock file is stale too; releasing twice is harmless; another's lock is never removed
  writeFileSync(lockFile, '{"pid": 12');
  const again = lockRunFolder(dir);
  writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 'y' }));
  again.release();
  again.release();
  assert.ok(existsSync(lockFile), 'release leaves a lock that is not ours');
});
