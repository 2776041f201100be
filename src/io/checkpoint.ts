// Checkpoints: model weights and buffers, optimizer state, step, epoch, RNG state and a method's
// extra tensors (SeeABLE's prototypes), as one safetensors file plus a small JSON that names it
// with its sha256. Both are written atomically, the JSON last, then `latest.json` is pointed at it:
// a run killed at any instant leaves the previous checkpoint intact and resumable.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Module } from '../nn/module.ts';
import type { OptimizerState } from '../nn/optim/optimizer.ts';
import { tensor } from '../tensor/create.ts';
import type { Rng } from '../tensor/random.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { writeFileAtomic } from './atomic.ts';
import { checkpointFromBytes, loadModelState, parseCheckpointMeta, type CheckpointMeta, type LoadedCheckpoint } from './checkpoint-state.ts';
import { serializeSafetensors, type SafeInput } from './safetensors.ts';

export { checkpointFromBytes, loadModelState, parseCheckpointMeta, type CheckpointMeta, type LoadedCheckpoint } from './checkpoint-state.ts';

export interface Stateful {
  stateDict(): OptimizerState;
  loadStateDict(s: OptimizerState): void;
}

export interface CheckpointSource {
  step: number;
  epoch: number;
  model: Module;
  optimizer?: Stateful;
  /** named RNG streams whose state must replay (data order, augmentations, init) */
  rngs?: Record<string, Rng>;
  /** method tensors that are not parameters (e.g. fixed prototypes) */
  extra?: Record<string, Tensor>;
  /** anything JSON: the config, metrics, the command */
  info?: Record<string, unknown>;
}

async function hostCopy(t: Tensor): Promise<SafeInput> {
  const data = await t.read();
  return { shape: [...t.shape], data: data instanceof Uint32Array ? new Int32Array(data.buffer) : data };
}

/** Write a checkpoint under `dir` and point latest.json at it; keeps the newest `keep` ones. */
export async function saveCheckpoint(dir: string, src: CheckpointSource, opts: { keep?: number; name?: string } = {}): Promise<string> {
  const base = opts.name ?? `ckpt-${String(src.step).padStart(8, '0')}`;
  const tensors = new Map<string, SafeInput>();
  for (const [name, t] of src.model.stateDict()) tensors.set(`model.${name}`, await hostCopy(t));
  const opt = src.optimizer?.stateDict();
  if (opt) for (const [id, t] of opt.tensors) tensors.set(`optim.${id}`, await hostCopy(t));
  for (const [name, t] of Object.entries(src.extra ?? {})) tensors.set(`extra.${name}`, await hostCopy(t));
  const bytes = serializeSafetensors(tensors, { format: 'seeable-checkpoint' });
  writeFileAtomic(join(dir, `${base}.safetensors`), bytes);
  const meta: CheckpointMeta = {
    format: 1,
    step: src.step,
    epoch: src.epoch,
    tensors: `${base}.safetensors`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    rngs: Object.fromEntries(Object.entries(src.rngs ?? {}).map(([k, r]) => [k, r.getState()])),
    optimizer: opt ? { step: opt.step, hyper: opt.hyper, paramSteps: opt.paramSteps } : null,
    info: src.info ?? {},
    savedAt: new Date().toISOString(),
  };
  // NaN (an RNG without a cached normal) does not survive JSON: store it as null.
  const json = JSON.stringify(meta, (_, v) => (typeof v === 'number' && Number.isNaN(v) ? null : v), 2);
  writeFileAtomic(join(dir, `${base}.json`), json);
  if (!opts.name) {
    writeFileAtomic(join(dir, 'latest.json'), JSON.stringify({ checkpoint: `${base}.json` }));
    prune(dir, opts.keep ?? 3);
  }
  return join(dir, `${base}.json`);
}

/**
 * Copy a checkpoint under another name in its folder (the main job promotes the one its larger validation
 * chose to `best`), merging `info` into its meta. Tensors first, then the JSON, each written atomically.
 */
export function copyCheckpoint(jsonPath: string, name: string, info: Record<string, unknown> = {}): string {
  const dir = join(jsonPath, '..');
  const meta = readCheckpointMeta(jsonPath); // the file's JSON as written (a NaN stored as null stays null)
  writeFileAtomic(join(dir, `${name}.safetensors`), readFileSync(join(dir, meta.tensors)));
  const out = { ...meta, tensors: `${name}.safetensors`, info: { ...meta.info, ...info } };
  writeFileAtomic(join(dir, `${name}.json`), JSON.stringify(out, null, 2));
  return join(dir, `${name}.json`);
}

/** The metadata of a checkpoint JSON (no tensors read), with an error naming the file. */
export function readCheckpointMeta(path: string): CheckpointMeta {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the checkpoint (${(e as Error).message})`);
  }
  return parseCheckpointMeta(text, path);
}

function prune(dir: string, keep: number): void {
  const all = readdirSync(dir).filter((f) => /^ckpt-\d+\.json$/.test(f)).sort();
  for (const f of all.slice(0, Math.max(0, all.length - keep))) {
    rmSync(join(dir, f), { force: true });
    rmSync(join(dir, f.replace(/\.json$/, '.safetensors')), { force: true });
  }
}

/** The checkpoint JSON that latest.json names, or null when the folder holds none. */
export function latestCheckpoint(dir: string): string | null {
  const p = join(dir, 'latest.json');
  if (!existsSync(p)) return null;
  let ref: { checkpoint?: unknown };
  try {
    ref = JSON.parse(readFileSync(p, 'utf8'));
  } catch (e) {
    throw new Error(`${p}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof ref.checkpoint !== 'string') throw new Error(`${p}: has no "checkpoint" entry`);
  return join(dir, ref.checkpoint);
}

/** The checkpoint JSON a path names: a checkpoint JSON itself, a checkpoints folder (its latest), or a
 *  run folder (its checkpoints/best.json, else the latest); null when there is none (yet). */
export function resolveCheckpoint(path: string): string | null {
  if (path.endsWith('.json')) return existsSync(path) ? path : null;
  if (!existsSync(path) || !statSync(path).isDirectory()) return null;
  const ckDir = join(path, 'checkpoints');
  if (existsSync(ckDir) && statSync(ckDir).isDirectory()) {
    return existsSync(join(ckDir, 'best.json')) ? join(ckDir, 'best.json') : latestCheckpoint(ckDir);
  }
  return latestCheckpoint(path);
}

/** Read and verify a checkpoint (the JSON path, or a folder with latest.json). */
export function loadCheckpoint(pathOrDir: string): LoadedCheckpoint {
  const path = pathOrDir.endsWith('.json') ? pathOrDir : resolveCheckpoint(pathOrDir);
  if (!path) throw new Error(`${pathOrDir}: no checkpoint here (give a checkpoint JSON, a checkpoints folder with latest.json, or a run folder)`);
  const meta = readCheckpointMeta(path);
  const tpath = join(path, '..', meta.tensors);
  let bytes: Buffer;
  try {
    bytes = readFileSync(tpath);
  } catch (e) {
    throw new Error(`${tpath}: cannot read the checkpoint's tensors (${(e as Error).message})`);
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== meta.sha256) throw new Error(`${tpath}: sha256 ${sha} differs from ${meta.sha256} recorded in ${path} (corrupt or replaced)`);
  return checkpointFromBytes(meta, path, bytes, tpath);
}

/** Restore everything a resumed run needs: weights, optimizer state, RNG streams. */
export function restoreCheckpoint(ck: LoadedCheckpoint, into: { model: Module; optimizer?: Stateful; rngs?: Record<string, Rng> }): void {
  loadModelState(into.model, ck);
  if (into.optimizer) {
    if (!ck.meta.optimizer) throw new Error(`${ck.path}: holds no optimizer state`);
    const tensors = new Map<string, Tensor>();
    for (const [k, v] of ck.tensors) {
      if (k.startsWith('optim.')) tensors.set(k.slice(6), tensor(v.data, v.shape, v.data instanceof Float32Array ? 'f32' : 'i32'));
    }
    into.optimizer.loadStateDict({ ...ck.meta.optimizer, tensors });
    for (const t of tensors.values()) t.dispose();
  }
  for (const [name, rng] of Object.entries(into.rngs ?? {})) {
    const s = ck.meta.rngs[name];
    if (!s) throw new Error(`${ck.path}: holds no state for RNG stream "${name}"`);
    rng.setState(s.map((v) => (v === null ? NaN : v)));
  }
}

/** An extra tensor of a checkpoint (e.g. the prototypes), uploaded. */
export function checkpointExtra(ck: LoadedCheckpoint, name: string): Tensor {
  const e = ck.tensors.get(`extra.${name}`);
  if (!e) throw new Error(`${ck.path}: has no extra tensor "${name}"`);
  return tensor(e.data, e.shape, e.data instanceof Float32Array ? 'f32' : 'i32');
}
