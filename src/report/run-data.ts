// Reads what a run folder holds (config.json, metrics.jsonl, checkpoints/, eval/, profile.json)
// into one plain object. Every piece is optional: a missing or unreadable file becomes a note for
// the report, never an exception, so a report can be made of a run that is still training.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KernelTime } from '../gpu/profiler.ts';
import type { EvalSummary } from '../cli/eval.ts';
import type { ClassAccuracy } from '../seeable/score.ts';
import { parseScoresCsv, type ScoreRow } from './scores-csv.ts';
import type { ResumeRecord } from '../seeable/run-config.ts';

export interface TrainPoint {
  step: number;
  loss: number;
  bcr: number;
  gui: number;
  /** nearest-prototype accuracy of the batch (runs before this field existed lack it) */
  trainAcc?: number;
  /** pristine-vs-altered accuracy of the batch (pristine-class runs only) */
  trainBinaryAcc?: number;
  lr: number;
  imagesPerSecond: number;
  elapsedS: number;
}

export interface ValPoint {
  step: number;
  valAuc: number;
  threshold: number;
  /** held-out nearest-prototype accuracy on the val faces' discrepancies */
  valAccuracy?: ClassAccuracy;
}

/** eval.json as `seeable eval --out` writes it (the summary without its own output folder). */
export type EvalSummaryFile = Omit<EvalSummary, 'out'>;

export interface ProfileFile {
  /** what was profiled, e.g. "3 × forward+backward of b0 at 32², batch 4" */
  what: string;
  passes: number;
  rows: KernelTime[];
  device?: string;
  createdAt?: string;
}

export interface RunData {
  dir: string;
  config: Record<string, unknown> | null;
  command: string | null;
  /** resumes that changed a setting (config.json) */
  resumes: ResumeRecord[];
  train: TrainPoint[];
  val: ValPoint[];
  checkpoints: { latest: Record<string, unknown> | null; best: Record<string, unknown> | null; count: number };
  evalDir: string;
  eval: EvalSummaryFile | null;
  scores: ScoreRow[] | null;
  profile: ProfileFile | null;
  /** why a piece is missing, keyed by section (config, metrics, eval, scores, profile) */
  notes: Record<string, string>;
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Reads `dir`; `evalDir` defaults to dir/eval, `profilePath` to dir/profile.json. */
export function readRun(dir: string, opts: { evalDir?: string; profilePath?: string } = {}): RunData {
  const notes: Record<string, string> = {};
  const attempt = <T>(key: string, path: string, missing: string, read: () => T): T | null => {
    if (!existsSync(path)) {
      notes[key] = missing;
      return null;
    }
    try {
      return read();
    } catch (e) {
      notes[key] = `${path} could not be read: ${(e as Error).message.split('\n')[0]}`;
      return null;
    }
  };
  if (!existsSync(dir)) throw new Error(`${dir}: no such run folder`);

  const cfgFile = attempt('config', join(dir, 'config.json'), `no config.json in ${dir} (not a seeable train run folder?)`, () => readJson(join(dir, 'config.json')) as { config?: Record<string, unknown>; command?: string | null; resumes?: ResumeRecord[] });
  const train: TrainPoint[] = [];
  const val: ValPoint[] = [];
  attempt('metrics', join(dir, 'metrics.jsonl'), 'no metrics.jsonl yet: the run has not finished a training step', () => {
    const lines = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').split('\n');
    for (const line of lines) {
      if (!line.trim()) continue;
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(line);
      } catch {
        continue; // a line torn by a killed run: skip it, keep the rest
      }
      if (typeof m.valAuc === 'number') val.push(m as unknown as ValPoint);
      else if (typeof m.loss === 'number') train.push(m as unknown as TrainPoint);
    }
  });
  if (!notes.metrics && train.length === 0) notes.metrics = 'metrics.jsonl holds no training step yet';
  if (!notes.metrics && val.length === 0) notes.val = 'no validation AUC logged yet (it is logged every valEvery steps and at the end)';

  const ckDir = join(dir, 'checkpoints');
  const ckpt = (name: string) => {
    try {
      return existsSync(join(ckDir, name)) ? (readJson(join(ckDir, name)) as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  };
  // latest.json only names the newest checkpoint's JSON; read that one for its step.
  const pointer = ckpt('latest.json');
  const latest = pointer && typeof pointer.checkpoint === 'string' ? { checkpoint: pointer.checkpoint, ...(ckpt(pointer.checkpoint) ?? {}) } : pointer;
  const count = existsSync(ckDir) ? readdirSync(ckDir).filter((f) => /^ckpt-\d+\.json$/.test(f)).length : 0;

  const evalDir = opts.evalDir ?? join(dir, 'eval');
  const evalJson = attempt('eval', join(evalDir, 'eval.json'), `no evaluation yet (${join(evalDir, 'eval.json')} is missing): run \`seeable eval --checkpoint ${join(dir, 'checkpoints')} --real … --fake … --out ${evalDir}\``, () => readJson(join(evalDir, 'eval.json')) as EvalSummaryFile);
  const scores = attempt('scores', join(evalDir, 'scores.csv'), `no scores.csv in ${evalDir}`, () => parseScoresCsv(readFileSync(join(evalDir, 'scores.csv'), 'utf8')));

  const profilePath = opts.profilePath ?? join(dir, 'profile.json');
  const profile = attempt('profile', profilePath, `no kernel profile (${profilePath}): make one with \`seeable report ${dir} --profile 3\``, () => readJson(profilePath) as ProfileFile);

  return {
    dir, config: cfgFile?.config ?? null, command: cfgFile?.command ?? null, resumes: cfgFile?.resumes ?? [], train, val,
    checkpoints: { latest, best: ckpt('best.json'), count },
    evalDir, eval: evalJson, scores, profile, notes,
  };
}
