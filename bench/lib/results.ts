// Printing a bench's table and writing bench/results/<name>.json atomically (temp file + rename).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './types.ts';

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

const num = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '—' : v.toFixed(digits));

export function formatTable(unit: string, cases: BenchCase[]): string {
  const rows = cases.map((c) => [
    c.case,
    num(c.ours),
    num(c.peer),
    c.ratio === null ? '—' : `${num(c.ratio)}×`,
    c.pctCeiling === null || c.pctCeiling === undefined ? '—' : `${num(c.pctCeiling, 1)} %`,
    num(c.oursGpu),
    num(c.peerGpu),
    num(c.oursCpu),
    num(c.peerCpu),
    c.ratioCpu === null || c.ratioCpu === undefined ? '—' : `${num(c.ratioCpu)}×`,
  ]);
  const head = ['case', `ours ${unit}`, `peer ${unit}`, 'ratio', '% ceiling', 'ours (GPU ts)', 'peer (GPU ts)', 'ours (CPU t)', 'peer (CPU t)', 'ratio (CPU t)'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w, i) => (i === 0 ? '-' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`, ...rows.map(line)].join('\n');
}

export function writeResults(name: string, record: object): string {
  mkdirSync(resultsDir, { recursive: true });
  const path = join(resultsDir, `${name}.json`);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(record, null, 2) + '\n');
  renameSync(tmp, path);
  return path;
}
