// Convert face-api.js's TF.js weight manifests (shipped in @vladmandic/face-api's model/ folder, MIT)
// into safetensors in our layouts, plus weights/manifest.json (provenance and sha256 of each output).
//   npx tsx tools/convert-face-api.ts [OUT_DIR]        (default: weights/)
// TF.js stores uint8-quantised tensors as v = u8·scale + min (computed in double, stored f32, exactly as
// tfjs-core's decodeWeights does) and TF layouts; we write F32 in PyTorch layouts:
//   conv [kh,kw,in,out] → [out,in,kh,kw]; depthwise [kh,kw,C,1] → [C,1,kh,kw]; dense [in,out] → [out,in].
// Names: "conv1/depthwise_filter" → "conv1.depthwise.weight", ".../pointwise_filter" → ".pointwise.weight",
// ".../filters" and "fc/weights" → ".weight", ".../bias" → ".bias".
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { serializeSafetensors, type SafeInput } from '../src/io/safetensors.ts';

const PACKAGE = '@vladmandic/face-api';
/** Our file name ← the package's manifest base name. */
export const FACE_API_MODELS: Record<string, string> = {
  'tiny-face-detector': 'tiny_face_detector_model',
  'face-landmark-68': 'face_landmark_68_model',
};

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}
type Manifest = { paths: string[]; weights: ManifestWeight[] }[];

export interface TfTensor { name: string; shape: number[]; data: Float32Array }

/** Decode a TF.js weights manifest's .bin (one or more groups, concatenated in manifest order). */
export function decodeTfjsWeights(manifest: Manifest, readBin: (path: string) => Uint8Array): TfTensor[] {
  const out: TfTensor[] = [];
  for (const group of manifest) {
    const parts = group.paths.map(readBin);
    const bin = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
    let at = 0;
    for (const p of parts) { bin.set(p, at); at += p.byteLength; }
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.dtype !== 'float32') throw new Error(`${w.name}: dtype ${w.dtype} is not supported`);
      const data = new Float32Array(n);
      const q = w.quantization;
      if (!q) {
        if (off + 4 * n > bin.byteLength) throw new Error(`${w.name}: runs past the end of the weights`);
        const dv = new DataView(bin.buffer, bin.byteOffset + off, 4 * n);
        for (let i = 0; i < n; i++) data[i] = dv.getFloat32(4 * i, true);
        off += 4 * n;
      } else if (q.dtype === 'uint8' && q.min !== undefined && q.scale !== undefined) {
        if (off + n > bin.byteLength) throw new Error(`${w.name}: runs past the end of the weights`);
        for (let i = 0; i < n; i++) data[i] = bin[off + i] * q.scale + q.min;
        off += n;
      } else {
        throw new Error(`${w.name}: quantisation ${JSON.stringify(q)} is not supported`);
      }
      out.push({ name: w.name, shape: w.shape, data });
    }
    if (off !== bin.byteLength) throw new Error(`weights group ${group.paths.join(',')}: ${bin.byteLength - off} bytes left over`);
  }
  return out;
}

/** Permute a row-major tensor: out axis i is input axis perm[i]. */
function permute(data: Float32Array, shape: number[], perm: number[]): SafeInput {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float32Array(data.length);
  const idx = new Array(outShape.length).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let i = 0; i < idx.length; i++) src += idx[i] * inStrides[perm[i]];
    out[o] = data[src];
    for (let i = idx.length - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return { shape: outShape, data: out };
}

/** One TF.js tensor → our name and layout. */
export function toOurLayout(t: TfTensor): [string, SafeInput] {
  const parts = t.name.split('/');
  const leaf = parts.pop()!;
  const base = parts.join('.');
  const rank = t.shape.length;
  if (leaf === 'bias' && rank === 1) return [`${base}.bias`, { shape: t.shape, data: t.data }];
  if (leaf === 'filters' && rank === 4) return [`${base}.weight`, permute(t.data, t.shape, [3, 2, 0, 1])];
  if (leaf === 'pointwise_filter' && rank === 4) return [`${base}.pointwise.weight`, permute(t.data, t.shape, [3, 2, 0, 1])];
  if (leaf === 'depthwise_filter' && rank === 4 && t.shape[3] === 1) return [`${base}.depthwise.weight`, permute(t.data, t.shape, [2, 3, 0, 1])];
  if (leaf === 'weights' && rank === 2) return [`${base}.weight`, permute(t.data, t.shape, [1, 0])];
  throw new Error(`${t.name} [${t.shape}]: no layout rule for it`);
}

function packageDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve(`${PACKAGE}/package.json`));
}

export function readManifest(base: string): { manifest: Manifest; dir: string } {
  const dir = join(packageDir(), 'model');
  return { manifest: JSON.parse(readFileSync(join(dir, `${base}-weights_manifest.json`), 'utf8')) as Manifest, dir };
}

/** The package's TF.js tensors for one model, dequantised, in TF layout (the tests' peer uses these). */
export function loadTfjsTensors(base: string): TfTensor[] {
  const { manifest, dir } = readManifest(base);
  return decodeTfjsWeights(manifest, (p) => new Uint8Array(readFileSync(join(dir, p))));
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Convert every model into outDir; returns the manifest written there. */
export function convertFaceApi(outDir: string): Record<string, unknown> {
  mkdirSync(outDir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string; license: string };
  const files: Record<string, unknown> = {};
  for (const [ours, base] of Object.entries(FACE_API_MODELS)) {
    const tensors = new Map(loadTfjsTensors(base).map(toOurLayout));
    const meta = { source: `${PACKAGE}@${pkg.version} model/${base}`, license: pkg.license };
    const bytes = serializeSafetensors(tensors, meta);
    const file = `${ours}.safetensors`;
    writeFileAtomic(join(outDir, file), bytes);
    files[file] = {
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      tensors: tensors.size,
      source: { package: PACKAGE, version: pkg.version, files: [`model/${base}-weights_manifest.json`, `model/${base}.bin`], license: `${pkg.license} (Copyright (c) Vladimir Mandic, see LICENSE-face-api.txt; the weights are face-api.js's, github justadudewhohacks/face-api.js, MIT)` },
      layout: 'conv [out,in,kh,kw]; depthwise [C,1,kh,kw]; pointwise [out,in,1,1]; dense [out,in]; f32 dequantised from uint8',
      converter: 'tools/convert-face-api.ts',
    };
  }
  // MIT asks for the notice to travel with the copies.
  const licence = readFileSync(join(packageDir(), 'LICENSE'));
  writeFileAtomic(join(outDir, 'LICENSE-face-api.txt'), licence);
  const manifest = { files, licence: { file: 'LICENSE-face-api.txt', from: `${PACKAGE}@${pkg.version} LICENSE`, sha256: sha256(licence) } };
  writeFileAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  const out = resolve(process.argv[2] ?? 'weights');
  const m = convertFaceApi(out);
  for (const [f, v] of Object.entries(m.files as Record<string, { sha256: string; bytes: number }>)) console.log(`${join(out, f)}  ${v.bytes} bytes  sha256 ${v.sha256}`);
}
