// safetensors, read and written on plain bytes (no Node imports: the browser loads checkpoints too).
// Layout: u64 little-endian header length N, N bytes of JSON header, then the data buffer;
// header entries { dtype, shape, data_offsets: [begin, end] } are relative to the data buffer.
// Reading validates everything before touching data and never reads past the buffer.

export type SafeDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const BYTES: Record<SafeDType, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Refuse absurd headers before parsing them (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

export interface SafeEntry {
  dtype: SafeDType;
  shape: number[];
  /** values widened to f32 (floats) or i32-representable numbers (ints; I64 beyond 2^53 throws) */
  data: Float32Array | Int32Array;
}

export interface SafeFile {
  tensors: Map<string, SafeEntry>;
  metadata: Record<string, string>;
}

export class SafetensorsError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: not a valid safetensors file: ${problem}`);
  }
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function decode(dtype: SafeDType, bytes: Uint8Array, n: number, source: string, name: string): Float32Array | Int32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'F64': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(dv.getUint16(i * 2, true));
      return out;
    }
    case 'BF16': {
      const out = new Float32Array(n);
      const w = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        w.setUint32(0, dv.getUint16(i * 2, true) << 16, true);
        out[i] = w.getFloat32(0, true);
      }
      return out;
    }
    case 'I64': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = dv.getBigInt64(i * 8, true);
        if (v > 2147483647n || v < -2147483648n) throw new SafetensorsError(source, `tensor "${name}" holds an I64 beyond 32 bits`);
        out[i] = Number(v);
      }
      return out;
    }
    case 'I32': return Int32Array.from({ length: n }, (_, i) => dv.getInt32(i * 4, true));
    case 'I16': return Int32Array.from({ length: n }, (_, i) => dv.getInt16(i * 2, true));
    case 'I8': return Int32Array.from({ length: n }, (_, i) => dv.getInt8(i));
    case 'U8':
    case 'BOOL': return Int32Array.from({ length: n }, (_, i) => dv.getUint8(i));
  }
}

/** Parse and validate; `source` (a file name or URL) goes into every error message. */
export function parseSafetensors(buf: Uint8Array, source = 'safetensors'): SafeFile {
  if (buf.byteLength < 8) throw new SafetensorsError(source, `${buf.byteLength} bytes is too short for the 8-byte header length`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(buf.byteLength - 8) || n64 > BigInt(MAX_HEADER)) {
    throw new SafetensorsError(source, `header length ${n64} exceeds the file (${buf.byteLength} bytes)`);
  }
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(source, `header is not UTF-8 JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(source, 'header is not a JSON object');
  }
  const data = buf.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  const tensors = new Map<string, SafeEntry>();
  const pending: [string, SafeDType, number[], number, number][] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object') throw new SafetensorsError(source, '__metadata__ is not an object');
      for (const [k, v] of Object.entries(raw)) {
        if (typeof v !== 'string') throw new SafetensorsError(source, `metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new SafetensorsError(source, `entry "${name}" is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in BYTES)) {
      throw new SafetensorsError(source, `tensor "${name}" has unsupported dtype ${JSON.stringify(e.dtype)}`);
    }
    const dtype = e.dtype as SafeDType;
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(source, `tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new SafetensorsError(source, `tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (end > data.byteLength) {
      throw new SafetensorsError(source, `tensor "${name}" ends at byte ${end} past the data (${data.byteLength} bytes)`);
    }
    const count = (e.shape as number[]).reduce((a, b) => a * b, 1);
    if (count * BYTES[dtype] !== end - begin) {
      throw new SafetensorsError(source, `tensor "${name}": shape [${e.shape}] × ${dtype} is ${count * BYTES[dtype]} bytes, offsets span ${end - begin}`);
    }
    spans.push([begin, end, name]);
    pending.push([name, dtype, e.shape as number[], begin, count]);
  }
  spans.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i][0] < spans[i - 1][1]) {
      throw new SafetensorsError(source, `tensors "${spans[i - 1][2]}" and "${spans[i][2]}" overlap`);
    }
  }
  for (const [name, dtype, shape, begin, count] of pending) {
    const bytes = data.subarray(begin, begin + count * BYTES[dtype]);
    tensors.set(name, { dtype, shape, data: decode(dtype, bytes, count, source, name) });
  }
  return { tensors, metadata };
}

export interface SafeInput {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** Serialise tensors (F32 for floats, I32 for ints) in name order, header padded to 8 bytes. */
export function serializeSafetensors(tensors: ReadonlyMap<string, SafeInput> | Record<string, SafeInput>, metadata?: Record<string, string>): Uint8Array {
  const entries: [string, SafeInput][] = (tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const count = t.shape.reduce((a: number, b: number) => a * b, 1);
    if (count !== t.data.length) throw new Error(`safetensors: "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: t.data instanceof Float32Array ? 'F32' : 'I32', shape: [...t.shape], data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.byteLength + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const [, t] of entries) {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    // Little-endian hosts (every WebGPU platform) store typed arrays in the file's byte order.
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}
