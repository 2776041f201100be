// The face-api converter: re-running it reproduces the committed weights byte for byte, and the
// layout permutations put every TF.js value where our ops read it.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { convertFaceApi, FACE_API_MODELS, loadTfjsTensors } from '../../tools/convert-face-api.ts';
import { parseSafetensors } from '../../src/io/safetensors.ts';

const WEIGHTS = join(import.meta.dirname, '../../weights');

test('re-running the converter reproduces weights/ (sha256 in manifest.json and of the files)', () => {
  const committed = JSON.parse(readFileSync(join(WEIGHTS, 'manifest.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
  const dir = mkdtempSync(join(tmpdir(), 'face-convert-'));
  try {
    const fresh = convertFaceApi(dir) as { files: Record<string, { sha256: string }> };
    assert.deepEqual(fresh, committed);
    assert.deepEqual(readFileSync(join(dir, 'LICENSE-face-api.txt')), readFileSync(join(WEIGHTS, 'LICENSE-face-api.txt')));
    for (const [file, { sha256 }] of Object.entries(committed.files)) {
      assert.equal(fresh.files[file].sha256, sha256, file);
      assert.deepEqual(readFileSync(join(dir, file)), readFileSync(join(WEIGHTS, file)), file);
      assert.equal(createHash('sha256').update(readFileSync(join(WEIGHTS, file))).digest('hex'), sha256, `${file}: the committed file has the manifest's sha256`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every TF.js value lands at its permuted index', () => {
  for (const [ours, base] of Object.entries(FACE_API_MODELS)) {
    const file = parseSafetensors(new Uint8Array(readFileSync(join(WEIGHTS, `${ours}.safetensors`))));
    const tf = loadTfjsTensors(base);
    assert.equal(file.tensors.size, tf.length);
    for (const t of tf) {
      const [scope, leaf] = [t.name.split('/').slice(0, -1).join('.'), t.name.split('/').at(-1)];
      const name = { bias: 'bias', filters: 'weight', weights: 'weight', depthwise_filter: 'depthwise.weight', pointwise_filter: 'pointwise.weight' }[leaf!];
      const e = file.tensors.get(`${scope}.${name}`);
      assert.ok(e, `${t.name} missing`);
      assert.ok(t.data.some((v) => v !== 0) && t.data.every(Number.isFinite), t.name);
      const s = t.shape;
      for (let k = 0; k < t.data.length; k += 7) {
        let want: number;
        if (s.length === 1) want = k;
        else if (s.length === 2) { const [i, o] = [Math.floor(k / s[1]), k % s[1]]; want = o * s[0] + i; }
        else {
          const [y, x, i, o] = [Math.floor(k / (s[1] * s[2] * s[3])), Math.floor(k / (s[2] * s[3])) % s[1], Math.floor(k / s[3]) % s[2], k % s[3]];
          // depthwise [kh,kw,C,1] → [C,1,kh,kw]; conv/pointwise [kh,kw,in,out] → [out,in,kh,kw]
          want = leaf === 'depthwise_filter' ? (i * s[0] + y) * s[1] + x : ((o * s[2] + i) * s[0] + y) * s[1] + x;
        }
        assert.equal(e.data[want], t.data[k], `${t.name}[${k}]`);
      }
    }
  }
});
