// `seeable train`: one-class SeeABLE training on real faces. A preset, an optional JSON config
// file and --set key=value flags make the configuration; a run folder holds config.json,
// metrics.jsonl and checkpoints/ (resumed automatically when present).
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { initGpu } from '../gpu/device.ts';
import { DEFAULTS, PRESETS, resolveConfig } from '../seeable/config.ts';
import { trainSeeable } from '../seeable/train.ts';

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new Error(`--set expects key=value, got "${s}"`);
    out[s.slice(0, eq)] = s.slice(eq + 1);
  }
  return out;
}

export function readConfigFile(path: string | undefined): Record<string, unknown> {
  if (!path) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the config file (${(e as Error).message})`);
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a SeeABLE detector on real faces only (one-class)')
    .option('--preset <name>', `starting configuration: ${Object.keys(PRESETS).join(', ')}`, 'quick')
    .option('--config <file>', 'JSON file of settings (overrides the preset)')
    .option('--set <key=value>', `one setting (repeatable), e.g. --set steps=500; keys: ${Object.keys(DEFAULTS).join(', ')}`, collect, [])
    .option('--run <dir>', 'run folder (config, metrics, checkpoints)', 'runs/latest')
    .option('--fresh', 'ignore an existing checkpoint in the run folder and start over')
    .option('--max-steps <n>', 'stop after this many steps in this invocation (resumable)')
    .action(async (o: { preset: string; config?: string; set: string[]; run: string; fresh?: boolean; maxSteps?: string }) => {
      const cfg = resolveConfig(o.preset, readConfigFile(o.config), parseSets(o.set));
      await initGpu();
      const r = await trainSeeable({
        cfg, runDir: o.run, resume: !o.fresh, command: process.argv.slice(1).join(' '),
        maxStepsThisRun: o.maxSteps ? Number(o.maxSteps) : undefined,
      });
      console.log(JSON.stringify({ run: o.run, ...r }));
    });
}
