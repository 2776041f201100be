import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { writeFileAtomic } from '../../src/io/atomic.ts';
import { parseSafetensors, serializeSafetensors } from '../../src/io/safetensors.ts';
import { Rng } from '../../src/tensor/random.ts';

/** Build a file by hand: header object + raw data bytes. */
function build(header: unknown, data: Uint8Array, headerLen?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('safetensors', () => {
  it('round-trips f32 and i32 tensors with metadata', () => {
    const rng = new Rng(3);
    const w = Float32Array.from({ length: 3 * 5 * 7 }, () => rng.normal());
    const idx = Int32Array.from([4, -2, 7]);
    const bytes = serializeSafetensors({ 'a.weight': { shape: [3, 5, 7], data: w }, 'b.idx': { shape: [3], data: idx } }, { format: 'pt' });
    const f = parseSafetensors(bytes, 'mem');
    assert.deepEqual(f.metadata, { format: 'pt' });
    assert.deepEqual(f.tensors.get('a.weight')!.shape, [3, 5, 7]);
    assert.deepEqual([...f.tensors.get('a.weight')!.data], [...w]);
    assert.deepEqual([...f.tensors.get('b.idx')!.data], [4, -2, 7]);
    assert.equal((new DataView(bytes.buffer).getUint32(0, true) % 8), 0, 'header padded to 8 bytes');
  });

  it('widens F16, BF16, F64 and I64 inputs', () => {
    const data = new Uint8Array(2 * 3 + 2 * 2 + 8 + 8);
    const dv = new DataView(data.buffer);
    [0x3c00, 0xc000, 0x3555].forEach((h, i) => dv.setUint16(i * 2, h, true)); // 1, -2, ≈0.33325
    [0x3f80, 0x4049].forEach((h, i) => dv.setUint16(6 + i * 2, h, true)); // bf16 1, 3.140625
    dv.setFloat64(10, Math.PI, true);
    dv.setBigInt64(18, -5n, true);
    const f = parseSafetensors(build({
      h: { dtype: 'F16', shape: [3], data_offsets: [0, 6] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [6, 10] },
      d: { dtype: 'F64', shape: [], data_offsets: [10, 18] },
      n: { dtype: 'I64', shape: [1], data_offsets: [18, 26] },
    }, data), 'mixed');
    assert.deepEqual([...f.tensors.get('h')!.data].map((v) => +v.toFixed(5)), [1, -2, 0.33325]);
    assert.deepEqual([...f.tensors.get('b')!.data], [1, 3.140625]);
    assert.equal(f.tensors.get('d')!.data[0], Math.fround(Math.PI));
    assert.deepEqual([...f.tensors.get('n')!.data], [-5]);
  });

  const bad: [string, () => Uint8Array, RegExp][] = [
    ['too short', () => new Uint8Array(5), /too short/],
    ['header longer than the file', () => build({}, new Uint8Array(0), 1000), /exceeds the file/],
    ['header not JSON', () => { const b = build({}, new Uint8Array(0)); b[8] = 0x7b; b[9] = 0x7b; return b; }, /not UTF-8 JSON/],
    ['header an array', () => build([1, 2], new Uint8Array(0)), /not a JSON object/],
    ['unknown dtype', () => build({ x: { dtype: 'Q4', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), /unsupported dtype/],
    ['negative dim', () => build({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)), /invalid shape/],
    ['offsets past the data', () => build({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, new Uint8Array(4)), /past the data/],
    ['reversed offsets', () => build({ x: { dtype: 'F32', shape: [0], data_offsets: [4, 0] } }, new Uint8Array(4)), /invalid data_offsets/],
    ['shape × dtype ≠ span', () => build({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(12)), /offsets span/],
    ['overlap', () => build({
      x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    }, new Uint8Array(12)), /overlap/],
  ];
  for (const [what, make, re] of bad) {
    it(`rejects a file with ${what}, naming the file`, () => {
      assert.throws(() => parseSafetensors(make(), 'weights/bad.safetensors'), (e: Error) => {
        assert.match(e.message, /^weights\/bad\.safetensors: not a valid safetensors file/);
        assert.match(e.message, re);
        return true;
      });
    });
  }

  it('writes files atomically (no temp file left, content complete)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'seeable-atomic-'));
    try {
      const path = join(dir, 'x.safetensors');
      writeFileAtomic(path, serializeSafetensors({ a: { shape: [2], data: Float32Array.from([1, 2]) } }));
      writeFileAtomic(path, serializeSafetensors({ a: { shape: [3], data: Float32Array.from([1, 2, 3]) } }));
      assert.deepEqual(readdirSync(dir), ['x.safetensors']);
      assert.deepEqual([...parseSafetensors(readFileSync(path), path).tensors.get('a')!.data], [1, 2, 3]);
      assert.throws(() => writeFileAtomic(join(dir, 'missing', 'y'), 'z'), /Cannot write .*missing\/y/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
