// Convert face-api.js's TF.js weight manifests (shipped in @vladmandic/face-api's model/ folder, MIT)
// into safetensors in our layouts, plus weights/manifest.json (provenance and sha256 of each output).
//   npx tsx tools/convert-face-api.ts [OUT_DIR]        (default: weights/)
// TF.js stores uint8-quantised tensors as v = u8·scale + min (computed in double, stored f32, exactly as
// tfjs-core's decodeWeights does) and TF layouts; we write F32 in PyTorch layouts:
//   conv [kh,kw,in,out] → [out,in,kh,kw]; depthwise [kh,kw,C,1] → [C,1,kh,kw]; dense [in,out] → [out,in].
// Names: "conv1/depthwise_filter" → "conv1.depthwise.weight", ".../pointwise_filter" → ".pointwise.weight",
// ".../filters" and "fc/weights" → ".weight", ".../bias" → ".bias". The SSD MobileNet-V1 detector keeps its
// uint8 codes (see FACE_API_SSD below).
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

/** One manifest entry as stored: uint8-quantised bytes with their scale and min, or raw f32 / i32. */
export interface TfRawTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  /** the stored uint8 codes, when quantised */
  u8?: Uint8Array;
  quant?: { scale: number; min: number };
  /** the values, when not quantised */
  raw?: Float32Array | Int32Array;
}

/** Read a TF.js weights manifest's .bin (groups concatenated in manifest order) without dequantising. */
export function decodeTfjsRaw(manifest: Manifest, readBin: (path: string) => Uint8Array): TfRawTensor[] {
  const out: TfRawTensor[] = [];
  for (const group of manifest) {
    const parts = group.paths.map(readBin);
    const bin = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
    let at = 0;
    for (const p of parts) { bin.set(p, at); at += p.byteLength; }
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      if (w.dtype !== 'float32' && w.dtype !== 'int32') throw new Error(`${w.name}: dtype ${w.dtype} is not supported`);
      const q = w.quantization;
      const t: TfRawTensor = { name: w.name, shape: w.shape, dtype: w.dtype };
      if (!q) {
        if (off + 4 * n > bin.byteLength) throw new Error(`${w.name}: runs past the end of the weights`);
        const dv = new DataView(bin.buffer, bin.byteOffset + off, 4 * n);
        t.raw = w.dtype === 'float32' ? Float32Array.from({ length: n }, (_, i) => dv.getFloat32(4 * i, true)) : Int32Array.from({ length: n }, (_, i) => dv.getInt32(4 * i, true));
        off += 4 * n;
      } else if (q.dtype === 'uint8' && q.min !== undefined && q.scale !== undefined) {
        if (off + n > bin.byteLength) throw new Error(`${w.name}: runs past the end of the weights`);
        t.u8 = bin.slice(off, off + n);
        t.quant = { scale: q.scale, min: q.min };
        off += n;
      } else {
        throw new Error(`${w.name}: quantisation ${JSON.stringify(q)} is not supported`);
      }
      out.push(t);
    }
    if (off !== bin.byteLength) throw new Error(`weights group ${group.paths.join(',')}: ${bin.byteLength - off} bytes left over`);
  }
  return out;
}

/** tfjs-core's decodeWeights: v = u8·scale + min in double, stored f32. */
export function dequantize(t: TfRawTensor): Float32Array {
  if (t.raw) return Float32Array.from(t.raw);
  const { scale, min } = t.quant!;
  return Float32Array.from(t.u8!, (v) => v * scale + min);
}

/** Decode a TF.js weights manifest's .bin (one or more groups, concatenated in manifest order); f32 only. */
export function decodeTfjsWeights(manifest: Manifest, readBin: (path: string) => Uint8Array): TfTensor[] {
  return decodeTfjsRaw(manifest, readBin).map((t) => {
    if (t.dtype !== 'float32') throw new Error(`${t.name}: dtype ${t.dtype} is not supported`);
    return { name: t.name, shape: t.shape, data: dequantize(t) };
  });
}

/** Permute a row-major tensor: out axis i is input axis perm[i]. */
function permute(data: Float32Array, shape: number[], perm: number[]): { shape: number[]; data: Float32Array };
function permute(data: Uint8Array, shape: number[], perm: number[]): { shape: number[]; data: Uint8Array };
function permute(data: Float32Array | Uint8Array, shape: number[], perm: number[]): { shape: number[]; data: Float32Array | Uint8Array } {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = data instanceof Float32Array ? new Float32Array(data.length) : new Uint8Array(data.length);
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

/** The package's tensors for one model as stored (uint8 codes unexpanded), TF names and layouts. */
export function loadTfjsRaw(base: string): TfRawTensor[] {
  const { manifest, dir } = readManifest(base);
  return decodeTfjsRaw(manifest, (p) => new Uint8Array(readFileSync(join(dir, p))));
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

// ── SSD MobileNet-V1 ─────────────────────────────────────────────────────────────────────────────
// 5.6 M weights: kept as TF.js ships them, uint8 codes (5.6 MB instead of 22 MB of f32), with each
// tensor's scale and min (doubles, as JSON numbers) in the file's metadata "quantization"; the loader
// (src/models/face/ssd-weights.ts) expands u8·scale + min in double to f32, as tfjs-core does.
export const FACE_API_SSD = { ours: 'ssd-mobilenet-v1', base: 'ssd_mobilenetv1_model' } as const;

/** Constants of the exported TF graph that face-api's code never reads (shapes, axes, slice bounds,
 *  and the preprocessing's 1/127.5 and 1, which it hard-codes). */
const SSD_UNUSED = /^(Prediction\/BoxPredictor_\d+\/(stack(_1)?\/\d+|strided_slice\/stack(_1)?)|Postprocessor\/|Preprocessor\/|concat_1\/axis)/;

/** TF.js name → ours (PyTorch-style), or null for the unused graph constants. */
export function ssdName(tf: string): string | null {
  if (SSD_UNUSED.test(tf)) return null;
  if (tf === 'Output/extra_dim') return 'anchors';
  const wb = (leaf: string) => (leaf === 'weights' ? 'weight' : 'bias');
  let m = /^MobilenetV1\/Conv2d_(\d+)_pointwise\/(weights|convolution_bn_offset)$/.exec(tf);
  if (m) return m[1] === '0' ? `mobilenet.conv0.${wb(m[2])}` : `mobilenet.conv${m[1]}.pointwise.${wb(m[2])}`;
  if ((m = /^MobilenetV1\/Conv2d_(\d+)_depthwise\/depthwise_weights$/.exec(tf))) return `mobilenet.conv${m[1]}.depthwise.weight`;
  m = /^MobilenetV1\/Conv2d_(\d+)_depthwise\/BatchNorm\/(gamma|beta|moving_mean|moving_variance)$/.exec(tf);
  if (m) return `mobilenet.conv${m[1]}.bn.${{ gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' }[m[2]]}`;
  if ((m = /^Prediction\/Conv2d_(\d+)_pointwise\/(weights|convolution_bn_offset)$/.exec(tf))) return `prediction.conv${m[1]}.${wb(m[2])}`;
  m = /^Prediction\/BoxPredictor_(\d+)\/(BoxEncodingPredictor|ClassPredictor)\/(weights|biases)$/.exec(tf);
  if (m) return `prediction.box${m[1]}.${m[2] === 'ClassPredictor' ? 'class' : 'encoding'}.${wb(m[3])}`;
  throw new Error(`${tf}: no SSD name rule for it`);
}

type Stored = { shape: number[]; data: Float32Array | Uint8Array };

/** safetensors with U8 and F32 tensors, names sorted, header padded to 8 bytes (as serializeSafetensors). */
function serializeMixed(tensors: Map<string, Stored>, metadata: Record<string, string>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'U8', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const json = new Uint8Array(Math.ceil(text.byteLength / 8) * 8).fill(0x20);
  json.set(text);
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/** The SSD's tensors in our names and layouts (U8 codes permuted like values), and their quantisation. */
export function ssdTensors(): { tensors: Map<string, Stored>; quantization: Record<string, { scale: number; min: number }> } {
  const tensors = new Map<string, Stored>();
  const quantization: Record<string, { scale: number; min: number }> = {};
  for (const t of loadTfjsRaw(FACE_API_SSD.base)) {
    const name = ssdName(t.name);
    if (name === null) continue;
    if (name === 'anchors') {
      if (!(t.raw instanceof Float32Array) || t.shape.join() !== `1,${t.shape[1]},4`) throw new Error(`${t.name}: expected raw f32 [1, n, 4]`);
      tensors.set(name, { shape: t.shape.slice(1), data: t.raw });
      continue;
    }
    if (!t.u8 || !t.quant) throw new Error(`${t.name}: expected uint8-quantised weights`);
    const rank = t.shape.length;
    if (rank === 1) tensors.set(name, { shape: t.shape, data: t.u8 });
    else if (rank === 4) tensors.set(name, permute(t.u8, t.shape, name.endsWith('depthwise.weight') ? [2, 3, 0, 1] : [3, 2, 0, 1]));
    else throw new Error(`${t.name} [${t.shape}]: no layout rule for it`);
    quantization[name] = t.quant;
  }
  return { tensors, quantization };
}

/** Convert every model into outDir; returns the manifest written there. */
export function convertFaceApi(outDir: string): Record<string, unknown> {
  mkdirSync(outDir, { recursive: true });
  const pkg = JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string; license: string };
  const files: Record<string, unknown> = {};
  /** Write one weight file atomically and record its manifest entry (provenance, licence, sha256). */
  const writeWeights = (ours: string, base: string, bytes: Uint8Array, tensorCount: number, layout: string) => {
    const file = `${ours}.safetensors`;
    writeFileAtomic(join(outDir, file), bytes);
    files[file] = {
      sha256: sha256(bytes),
      bytes: bytes.byteLength,
      tensors: tensorCount,
      source: { package: PACKAGE, version: pkg.version, files: [`model/${base}-weights_manifest.json`, `model/${base}.bin`], license: `${pkg.license} (Copyright (c) Vladimir Mandic, see LICENSE-face-api.txt; the weights are face-api.js's, github justadudewhohacks/face-api.js, MIT)` },
      layout,
      converter: 'tools/convert-face-api.ts',
    };
  };
  for (const [ours, base] of Object.entries(FACE_API_MODELS)) {
    const tensors = new Map(loadTfjsTensors(base).map(toOurLayout));
    const meta = { source: `${PACKAGE}@${pkg.version} model/${base}`, license: pkg.license };
    writeWeights(ours, base, serializeSafetensors(tensors, meta), tensors.size,
      'conv [out,in,kh,kw]; depthwise [C,1,kh,kw]; pointwise [out,in,1,1]; dense [out,in]; f32 dequantised from uint8');
  }
  {
    const { ours, base } = FACE_API_SSD;
    const { tensors, quantization } = ssdTensors();
    const meta = { source: `${PACKAGE}@${pkg.version} model/${base}`, license: pkg.license, quantization: JSON.stringify(quantization) };
    writeWeights(ours, base, serializeMixed(tensors, meta), tensors.size,
      'conv [out,in,kh,kw]; depthwise [C,1,kh,kw]; pointwise [out,in,1,1]; U8 codes as shipped, value = u8·scale + min (metadata "quantization", per tensor), except anchors [n,4] F32 (ymin,xmin,ymax,xmax); unused graph constants dropped');
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
