// A run folder's config.json: the settings a run trains with, the command that started it, and every
// resume that changed a setting (a run extended with more steps, a new learning rate, …), so the
// report and a later reader see what the checkpoints were really trained with.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.ts';
import type { SeeableConfig } from './config.ts';

export interface ResumeRecord {
  /** the step the run resumed from */
  step: number;
  command: string | null;
  /** each changed setting: what it was, what it became */
  changed: Record<string, { from: unknown; to: unknown }>;
}

export interface RunConfigFile {
  config: SeeableConfig;
  command: string | null;
  resumes?: ResumeRecord[];
}

/** Settings that define the model or its targets: the checkpoint's weights and prototypes only make
 *  sense with the values they were made with (the prototypes are drawn from the seed). */
const FIXED_FOR_A_RUN: (keyof SeeableConfig)[] = ['backbone', 'padding', 'dim', 'hidden', 'gridRows', 'gridCols', 'types', 'seed'];

function changedSettings(before: Record<string, unknown>, after: SeeableConfig): ResumeRecord['changed'] {
  const changed: ResumeRecord['changed'] = {};
  for (const [k, to] of Object.entries(after)) {
    const from = before[k];
    if (JSON.stringify(from) !== JSON.stringify(to)) changed[k] = { from, to };
  }
  return changed;
}

/**
 * Write config.json for a fresh run, or check and record the settings of a resumed one.
 * A resume that changes a model-defining setting is refused with the setting named; one that changes
 * others (steps, lr, …) is appended to `resumes` and returned so the caller can say so.
 */
export function recordRunConfig(runDir: string, cfg: SeeableConfig, command: string | null, resumeStep: number | null): ResumeRecord | null {
  const path = join(runDir, 'config.json');
  if (resumeStep === null || !existsSync(path)) {
    writeFileAtomic(path, JSON.stringify({ config: cfg, command } satisfies RunConfigFile, null, 2));
    return null;
  }
  let prev: RunConfigFile;
  try {
    prev = JSON.parse(readFileSync(path, 'utf8')) as RunConfigFile;
  } catch (e) {
    throw new Error(`${path}: not readable JSON (${(e as Error).message}); the run's settings are unknown, so it cannot be resumed safely`);
  }
  const changed = changedSettings((prev.config ?? {}) as unknown as Record<string, unknown>, cfg);
  const refused = FIXED_FOR_A_RUN.filter((k) => k in changed);
  // the pristine class adds a prototype: switching it on or off changes K + 1; its rate alone does not
  if ('pristineFraction' in changed && Number(changed.pristineFraction.from) > 0 !== cfg.pristineFraction > 0) refused.push('pristineFraction');
  if (refused.length) {
    const what = describeChanges(Object.fromEntries(refused.map((k) => [k, changed[k]])));
    throw new Error(`${runDir}: its checkpoints were trained with other model settings (${what}); resume with the run's own settings, or start a new run folder (or --fresh)`);
  }
  if (!Object.keys(changed).length) return null;
  const record: ResumeRecord = { step: resumeStep, command, changed };
  writeFileAtomic(path, JSON.stringify({ ...prev, config: cfg, resumes: [...(prev.resumes ?? []), record] } satisfies RunConfigFile, null, 2));
  return record;
}

/** "steps 4000 → 8000, lr 0.001 → 0.0005" */
export function describeChanges(changed: ResumeRecord['changed']): string {
  return Object.entries(changed).map(([k, { from, to }]) => `${k} ${JSON.stringify(from)} → ${JSON.stringify(to)}`).join(', ');
}
