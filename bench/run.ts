// Bench runner: `npm run bench` runs every bench/<name>.ts, `npm run bench -- NAME …` the named ones.
// Options: --quick (fewer cases), --ceiling=<GFLOP/s>, --no-gpu-time (skip timestamp queries).
// Each bench prints a table and writes bench/results/<name>.json. See bench/README.md.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/gpu/node.ts';
import { initGpu, shutdownGpu, type Gpu } from '../src/gpu/device.ts';
import { gflopsCeiling } from './lib/ceiling.ts';
import { setProfiling } from './lib/profiling.ts';
import { formatTable, writeResults } from './lib/results.ts';
import { tfjsPeer } from './lib/tfjs-peer.ts';
import type { Bench, BenchContext } from './lib/types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flags = new Map(args.filter((a) => a.startsWith('--')).map((a) => [a.replace(/=.*/, ''), a.includes('=') ? a.slice(a.indexOf('=') + 1) : '']));
// A bench is a bench/<name>.ts that exports `bench`; other scripts in bench/ run on their own (not imported:
// importing a script would run it).
const files = readdirSync(here).filter((f) => f.endsWith('.ts') && f !== 'run.ts').sort();
const isBench = (f: string) => /export\s+const\s+bench\b/.test(readFileSync(join(here, f), 'utf8'));
const available = files.filter(isBench).map((f) => f.slice(0, -3));
const scripts = files.filter((f) => !isBench(f));
const wanted = args.filter((a) => !a.startsWith('--'));
const refuse = (msg: string): never => {
  console.error(`[bench] ${msg}`);
  process.exit(2);
};
for (const w of wanted) {
  if (scripts.includes(`${w}.ts`)) refuse(`bench/${w}.ts is a standalone script: node --import tsx bench/${w}.ts`);
  if (!available.includes(w)) refuse(`no bench "${w}" (bench/${w}.ts); available: ${available.join(', ')}`);
}
if (!wanted.length && scripts.length) console.error(`[bench] standalone scripts, not run here: ${scripts.join(', ')}`);
const names = wanted.length ? wanted : available;

async function device(): Promise<Gpu> {
  const wantTs = !flags.has('--no-gpu-time');
  try {
    return await initGpu({ profile: wantTs });
  } catch (e) {
    if (!wantTs) throw e;
    console.error(`[bench] no GPU timestamps (${(e as Error).message}); wall-clock only`);
    return initGpu({ profile: false });
  }
}

const gpu = await device();
const gpuTiming = gpu.profiler !== null;
setProfiling(gpu, false);
const ceilingFlag = flags.has('--ceiling') ? Number(flags.get('--ceiling')) : undefined;

for (const name of names) {
  const mod = (await import(`./${name}.ts`)) as { bench?: Bench };
  if (!mod.bench) throw new Error(`bench/${name}.ts must export \`bench\` (see bench/lib/types.ts)`);
  const b = mod.bench;
  const ctx: BenchContext = {
    gpu,
    tf: () => tfjsPeer(gpu),
    ceiling: (unit) => (unit === 'GFLOP/s' ? gflopsCeiling(gpu.adapter, ceilingFlag) : null),
    gpuTiming,
    quick: flags.has('--quick'),
    log: (line) => console.error(`[${name}] ${line}`),
  };
  console.log(`\n## ${name}: ${b.description} (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs)`);
  const t0 = performance.now();
  const loadBefore = loadavg()[0];
  const cases = await b.run(ctx);
  console.log(formatTable(b.unit, cases));
  const a = gpu.adapter;
  const path = writeResults(name, {
    bench: name,
    description: b.description,
    unit: b.unit,
    cases,
    adapter: { ...a, features: undefined },
    ceiling: ctx.ceiling(b.unit),
    gpuTiming,
    command: `npm run bench -- ${[name, ...args.filter((x) => x.startsWith('--'))].join(' ')}`,
    date: new Date().toISOString(),
    node: process.version,
    // other processes on a shared CPU adapter slow both sides; ratios stay comparable, absolute speeds do not
    host: { cpus: cpus().length, cpu: cpus()[0]?.model, loadavg1min: { before: loadBefore, after: loadavg()[0] } },
    seconds: Math.round((performance.now() - t0) / 100) / 10,
  });
  console.log(`→ ${path}`);
}
shutdownGpu();
process.exit(0);
