// The platform-free half of checkpoints: the JSON's shape, tensors from the safetensors bytes, and
// the copy into a model. Node (src/io/checkpoint.ts: files, sha256) and the browser demo (fetch,
// Web Crypto) both build a LoadedCheckpoint through here, so they load the very same weights.
import { getGpu } from '../gpu/device.ts';
import type { Module } from '../nn/module.ts';
import type { Hyper } from '../nn/optim/optimizer.ts';
import { parseSafetensors } from './safetensors.ts';

export interface CheckpointMeta {
  format: 1;
  step: number;
  epoch: number;
  tensors: string;
  sha256: string;
  rngs: Record<string, number[]>;
  optimizer: { step: number; hyper: Hyper; paramSteps: Record<string, number> } | null;
  info: Record<string, unknown>;
  savedAt: string;
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  /** path (or URL) of the JSON file */
  path: string;
  /** host copies of every tensor, by namespaced name (model.*, optim.*, extra.*) */
  tensors: Map<string, { shape: number[]; data: Float32Array | Int32Array }>;
}

/** Parse a checkpoint JSON's text; `path` names it in errors. */
export function parseCheckpointMeta(text: string, path: string): CheckpointMeta {
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: cannot read the checkpoint (${(e as Error).message})`);
  }
  if (meta.format !== 1 || typeof meta.tensors !== 'string') throw new Error(`${path}: not a seeable checkpoint (format ${meta.format})`);
  return meta;
}

/** The loaded checkpoint from its JSON and its (already verified) safetensors bytes. */
export function checkpointFromBytes(meta: CheckpointMeta, path: string, bytes: Uint8Array, tensorsSource: string): LoadedCheckpoint {
  const f = parseSafetensors(bytes, tensorsSource);
  return { meta, path, tensors: new Map([...f.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }])) };
}

/** Copy a loaded checkpoint into a model (every tensor must be present with its shape). */
export function loadModelState(model: Module, ck: LoadedCheckpoint, opts: { strict?: boolean } = {}): void {
  const gpu = getGpu();
  const missing: string[] = [];
  const own = model.stateDict();
  for (const [name, t] of own) {
    const src = ck.tensors.get(`model.${name}`);
    if (!src) {
      missing.push(name);
      continue;
    }
    if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
      throw new Error(`${ck.path}: "${name}" is [${src.shape}] in the checkpoint, [${t.shape}] in the model`);
    }
    gpu.write(t.buffer, t.dtype === 'f32' ? Float32Array.from(src.data) : src.data);
  }
  const unexpected = [...ck.tensors.keys()].filter((k) => k.startsWith('model.') && !own.has(k.slice(6)));
  if ((opts.strict ?? true) && (missing.length || unexpected.length)) {
    throw new Error(`${ck.path}: model mismatch; missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
  }
}
