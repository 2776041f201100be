// Face-model weights: a safetensors file (tools/convert-face-api.ts wrote it, our layouts) → GPU tensors.
// Browser-safe: bytes in. Every expected name must be present with its shape, and nothing else.
import { parseSafetensors } from '../../io/safetensors.ts';
import { tensor } from '../../tensor/create.ts';
import { keep } from '../../tensor/scope.ts';
import type { Tensor } from '../../tensor/tensor.ts';

export type FaceWeights = Map<string, Tensor>;

export function loadFaceWeights(bytes: Uint8Array, expected: ReadonlyMap<string, readonly number[]>, model: string): FaceWeights {
  const file = parseSafetensors(bytes, model);
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const e = file.tensors.get(name);
    if (!e) problems.push(`missing ${name}`);
    else if (e.shape.join(',') !== shape.join(',')) problems.push(`${name} is [${e.shape}], expected [${shape}]`);
  }
  for (const name of file.tensors.keys()) if (!expected.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length) throw new Error(`${model}: the weights do not fit: ${problems.join('; ')}`);
  const out: FaceWeights = new Map();
  for (const [name, e] of file.tensors) out.set(name, keep(tensor(Float32Array.from(e.data), e.shape)));
  return out;
}

export function disposeFaceWeights(w: FaceWeights): void {
  for (const t of w.values()) t.dispose();
  w.clear();
}

/** Shapes of a depthwise-separable conv's three tensors under `scope`. */
export function separableShapes(scope: string, cin: number, cout: number): [string, number[]][] {
  return [
    [`${scope}.depthwise.weight`, [cin, 1, 3, 3]],
    [`${scope}.pointwise.weight`, [cout, cin, 1, 1]],
    [`${scope}.bias`, [cout]],
  ];
}
