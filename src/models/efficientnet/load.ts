// Load host tensors (a parsed safetensors file, in any of the supported namings) into an
// EfficientNet, and read its state back out. Browser-safe: bytes in, bytes out, no file I/O.
import { getGpu } from '../../gpu/device.ts';
import type { Module } from '../../nn/module.ts';
import { stateShapes } from './config.ts';
import type { EfficientNet } from './model.ts';
import { convertState, formatReport, reportOk, type HostTensor, type WeightSource } from './names.ts';

/** Copy `state` (named as `from` names it) into the model; throws with the report on any mismatch. */
export function loadEfficientNetState(model: EfficientNet, state: ReadonlyMap<string, HostTensor>, from: WeightSource = 'timm'): void {
  const { tensors, report } = convertState(state, from, 'timm', model.config);
  if (!reportOk(report)) throw new Error(`EfficientNet (${model.config.variant}): the ${from} weights do not fit:\n${formatReport(report)}`);
  writeState(model, tensors);
}

/** Write host tensors into a module's parameters and buffers by name (all of them must be there). */
export function writeState(model: Module, tensors: ReadonlyMap<string, HostTensor>): void {
  const own = model.stateDict();
  const missing = [...own.keys()].filter((k) => !tensors.has(k));
  if (missing.length) throw new Error(`writeState: missing ${missing.join(', ')}`);
  for (const [name, t] of own) {
    const src = tensors.get(name)!;
    if (src.data.length !== t.size) throw new Error(`writeState: "${name}" has ${src.data.length} values, the model ${t.size}`);
    getGpu().write(t.buffer, src.data instanceof Float32Array ? src.data : Float32Array.from(src.data));
  }
}

/** The model's state as host tensors under `to`'s names (num_batches_tracked is not written). */
export async function readEfficientNetState(model: EfficientNet, to: WeightSource = 'timm'): Promise<Map<string, HostTensor>> {
  const own = new Map<string, HostTensor>();
  for (const [name, t] of model.stateDict()) own.set(name, { shape: [...t.shape], data: await t.readF32() });
  if (own.size !== stateShapes(model.config).size) throw new Error('readEfficientNetState: the model and its config disagree');
  const { tensors, report } = convertState(own, 'timm', to, model.config);
  if (!reportOk(report)) throw new Error(formatReport(report));
  return tensors;
}
