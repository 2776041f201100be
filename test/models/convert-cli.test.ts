// `seeable convert` end to end in a child process: a torchvision-named B1 (with classifier and
// num_batches_tracked counters) becomes timm-named and back, bit for bit; a broken file is
// rejected with a report of every unmatched / missing / mis-shaped tensor and a non-zero exit.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseSafetensors, serializeSafetensors, type SafeInput } from '../../src/io/safetensors.ts';
import { convertState, efficientNetConfig, stateShapes } from '../../src/models/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'seeable-convert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function seeable(...args: string[]) {
  return spawnSync(process.execPath, ['bin/seeable.js', ...args], { encoding: 'utf8' });
}

function torchvisionB1(): Map<string, SafeInput> {
  const cfg = efficientNetConfig('b1', { numClasses: 7 });
  const ours = new Map<string, SafeInput>();
  let k = 0;
  for (const [name, shape] of stateShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    ours.set(name, { shape, data: Float32Array.from({ length: n }, () => Math.sin(k++)) });
  }
  const tv = convertState(ours, 'timm', 'torchvision', cfg).tensors as Map<string, SafeInput>;
  for (const name of [...tv.keys()]) {
    if (name.endsWith('running_var')) tv.set(name.replace(/running_var$/, 'num_batches_tracked'), { shape: [], data: Int32Array.of(3) });
  }
  return tv;
}

describe('seeable convert', () => {
  it('torchvision → timm → efficientnet_pytorch → timm, detecting B1 and its classifier', () => {
    const tv = torchvisionB1();
    const src = join(dir, 'tv.safetensors');
    writeFileSync(src, serializeSafetensors(tv));
    const a = seeable('convert', '--from', 'torchvision', src, join(dir, 'timm.safetensors'));
    assert.equal(a.status, 0, a.stderr);
    assert.match(a.stdout, /EfficientNet-B1 with a 7-class classifier, \d+ tensors, 69 num_batches_tracked counters skipped/);
    const b = seeable('convert', '--from', 'timm', '--to', 'efficientnet_pytorch', '--model', 'b1', join(dir, 'timm.safetensors'), join(dir, 'ep.safetensors'));
    assert.equal(b.status, 0, b.stderr);
    const c = seeable('convert', '--from', 'efficientnet_pytorch', join(dir, 'ep.safetensors'), join(dir, 'timm2.safetensors'));
    assert.equal(c.status, 0, c.stderr);
    const timm = parseSafetensors(readFileSync(join(dir, 'timm.safetensors')));
    const timm2 = parseSafetensors(readFileSync(join(dir, 'timm2.safetensors')));
    assert.equal(timm.metadata.variant, 'b1');
    assert.equal(timm2.metadata.padding, 'same');
    assert.equal(timm.tensors.get('classifier.weight')?.shape[0], 7);
    assert.deepEqual(timm.tensors.get('blocks.1.0.conv_pw.weight')!.data, tv.get('features.2.0.block.0.0.weight')!.data);
    assert.equal(timm2.tensors.size, timm.tensors.size);
    for (const [name, t] of timm.tensors) assert.deepEqual(timm2.tensors.get(name)!.data, t.data, name);
    assert.ok(![...timm.tensors.keys()].some((n) => n.includes('num_batches_tracked')));
  });

  it('reports every problem and exits non-zero without writing', () => {
    const tv = torchvisionB1();
    tv.delete('features.5.2.block.1.0.weight');
    tv.set('features.2.0.block.3.0.weight', { shape: [24, 144, 1, 1], data: new Float32Array(24 * 144) });
    tv.set('extra.head.weight', { shape: [2], data: new Float32Array(2) });
    const src = join(dir, 'broken.safetensors');
    writeFileSync(src, serializeSafetensors(tv));
    const out = join(dir, 'never.safetensors');
    const r = seeable('convert', '--from', 'torchvision', '--model', 'b1', src, out);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unmatched input tensors \(1\):\n {2}extra\.head\.weight/);
    assert.match(r.stderr, /missing model tensors \(1\):\n {2}blocks\.4\.2\.conv_dw\.weight/);
    assert.match(r.stderr, /features\.2\.0\.block\.3\.0\.weight → blocks\.1\.0\.conv_pwl\.weight: \[24, 144, 1, 1\], expected \[24, 96, 1, 1\]/);
    assert.ok(!existsSync(out));
    const d = seeable('convert', '--from', 'torchvision', src, out);
    assert.notEqual(d.status, 0);
    assert.match(d.stderr, /do not fit any EfficientNet B0–B4 \(closest: B1\)/);
  });
});
