// One writer per run folder: two trainers in one folder would interleave metrics and overwrite each
// other's checkpoints. The lock file names its process; a lock whose process is gone (a killed run)
// is stale and taken over, so a kill never blocks the resume.
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
}

export interface RunLock {
  path: string;
  /** remove the lock (only if it is still ours) */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null; // torn or foreign: treat as stale
  }
}

/** Take `dir`'s lock for this process, or throw naming the process that holds it. */
export function lockRunFolder(dir: string): RunLock {
  const path = join(dir, 'run.lock');
  const mine: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const body = JSON.stringify(mine);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, body, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
    }
    const held = readLock(path);
    if (held && held.pid !== process.pid && (held.host !== mine.host || alive(held.pid))) {
      const where = held.host === mine.host ? `process ${held.pid}` : `process ${held.pid} on ${held.host}`;
      throw new Error(`${dir} is in use by ${where} (since ${held.startedAt}): two runs in one folder would overwrite each other's checkpoints. Wait for it, stop it, or use another run folder; if that process is gone, delete ${path}.`);
    }
    unlinkSync(path); // stale: its process is gone
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readLock(path)?.pid === process.pid) unlinkSync(path);
  };
  process.on('exit', release);
  return { path, release };
}
