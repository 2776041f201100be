// Generate PyTorch reference fixtures at test time (tools/reference/*.py with Debian's torch):
// nothing large is committed. Returns null, with the reason, when torch is not installed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSafetensors, type SafeEntry } from '../../src/io/safetensors.ts';

export const PYTHON = '/usr/bin/python3';

export function torchMissing(): string | false {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'pipe' });
    return false;
  } catch {
    return `${PYTHON} has no torch/torchvision (scripts/setup.sh installs python3-torch python3-torchvision)`;
  }
}

export interface Fixture {
  tensors: Map<string, SafeEntry>;
  metadata: Record<string, string>;
  get(name: string): SafeEntry;
  /** entries under `prefix.` with the prefix removed */
  group(prefix: string): Map<string, SafeEntry>;
}

/** Run a reference script with args (the output path is appended first) and parse what it wrote. */
export function runReference(script: string, args: string[]): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'seeable-ref-'));
  try {
    const out = join(dir, 'fixture.safetensors');
    execFileSync(PYTHON, [join('tools/reference', script), out, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const f = parseSafetensors(readFileSync(out), out);
    return {
      tensors: f.tensors,
      metadata: f.metadata,
      get(name) {
        const t = f.tensors.get(name);
        if (!t) throw new Error(`fixture ${script}: no tensor "${name}"`);
        return t;
      },
      group(prefix) {
        const p = `${prefix}.`;
        return new Map([...f.tensors].filter(([k]) => k.startsWith(p)).map(([k, v]) => [k.slice(p.length), v]));
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
