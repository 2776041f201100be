// EfficientNet layout and name maps, without a GPU: feature widths and parameter counts of B0–B4,
// every torchvision B0–B4 state-dict name and shape (from Debian's torchvision) mapped onto ours,
// round trips through every naming, and the converter's report of unmatched / missing / mis-shaped.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { PYTHON, torchMissing } from './fixture.ts';
import {
  convertState, detectVariant, efficientNetConfig, layoutOf, nameTable, reportOk, stateShapes, WEIGHT_SOURCES,
  type HostTensor, type EfficientNetVariant,
} from '../../src/models/index.ts';

const VARIANTS: EfficientNetVariant[] = ['b0', 'b1', 'b2', 'b3', 'b4'];

function fakeState(shapes: Map<string, number[]>, seed = 1): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  let v = seed;
  for (const [name, shape] of shapes) {
    const n = shape.reduce((a, b) => a * b, 1);
    out.set(name, { shape, data: Float32Array.from({ length: n }, () => (v = (v * 1103515245 + 12345) % 2147483648) / 2147483648) });
  }
  return out;
}

const paramCount = (cfgShapes: Map<string, number[]>) =>
  [...cfgShapes].filter(([n]) => !n.includes('running_')).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);

describe('EfficientNet layout', () => {
  it('pooled feature widths and parameter counts of B0–B4 (with a 1000-class head) match torchvision', () => {
    // torchvision's published parameter counts for efficientnet_b0 … b4
    const expected = { b0: [1280, 5288548], b1: [1280, 7794184], b2: [1408, 9109994], b3: [1536, 12233232], b4: [1792, 19341616] };
    for (const v of VARIANTS) {
      const cfg = efficientNetConfig(v, { numClasses: 1000 });
      assert.deepEqual([layoutOf(cfg).head, paramCount(stateShapes(cfg))], expected[v], v);
    }
  });

  it('drop-connect grows linearly with the flat block index', () => {
    const blocks = layoutOf(efficientNetConfig('b2', { dropConnect: 0.2 })).stages.flat();
    blocks.forEach((b, i) => assert.ok(Math.abs(b.dropRate - (0.2 * i) / blocks.length) < 1e-12));
    assert.equal(blocks.at(-1)!.flat, blocks.length - 1);
  });
});

describe('EfficientNet name maps', () => {
  it('maps known names of both block kinds', () => {
    const tv = nameTable('torchvision', efficientNetConfig('b0'));
    const ep = nameTable('efficientnet_pytorch', efficientNetConfig('b0'));
    const cases: [string, string, string][] = [
      ['conv_stem.weight', 'features.0.0.weight', '_conv_stem.weight'],
      ['bn1.running_var', 'features.0.1.running_var', '_bn0.running_var'],
      ['blocks.0.0.conv_dw.weight', 'features.1.0.block.0.0.weight', '_blocks.0._depthwise_conv.weight'],
      ['blocks.0.0.se.conv_reduce.bias', 'features.1.0.block.1.fc1.bias', '_blocks.0._se_reduce.bias'],
      ['blocks.0.0.bn2.weight', 'features.1.0.block.2.1.weight', '_blocks.0._bn2.weight'],
      ['blocks.1.0.conv_pw.weight', 'features.2.0.block.0.0.weight', '_blocks.1._expand_conv.weight'],
      ['blocks.1.1.bn2.bias', 'features.2.1.block.1.1.bias', '_blocks.2._bn1.bias'],
      ['blocks.5.3.se.conv_expand.weight', 'features.6.3.block.2.fc2.weight', '_blocks.14._se_expand.weight'],
      ['blocks.6.0.conv_pwl.weight', 'features.7.0.block.3.0.weight', '_blocks.15._project_conv.weight'],
      ['blocks.6.0.bn3.running_mean', 'features.7.0.block.3.1.running_mean', '_blocks.15._bn2.running_mean'],
      ['conv_head.weight', 'features.8.0.weight', '_conv_head.weight'],
      ['bn2.bias', 'features.8.1.bias', '_bn1.bias'],
    ];
    for (const [ours, t, e] of cases) {
      assert.equal(tv.get(ours), t, ours);
      assert.equal(ep.get(ours), e, ours);
    }
  });

  it('is a bijection and round-trips through every naming, B0–B4', () => {
    for (const v of VARIANTS) {
      const cfg = efficientNetConfig(v, { numClasses: 10 });
      const state = fakeState(stateShapes(cfg));
      for (const src of WEIGHT_SOURCES) {
        assert.equal(new Set(nameTable(src, cfg).values()).size, state.size, `${v} ${src}: distinct names`);
        const there = convertState(state, 'timm', src, cfg);
        assert.ok(reportOk(there.report), `${v} → ${src}`);
        const back = convertState(there.tensors, src, 'timm', cfg);
        assert.ok(reportOk(back.report), `${src} → ${v}`);
        assert.deepEqual([...back.tensors.keys()].sort(), [...state.keys()].sort());
        for (const [k, t] of back.tensors) assert.equal(t.data, state.get(k)!.data, `${v} ${src} ${k}`);
        assert.deepEqual(detectVariant(there.tensors, src), { variant: v, numClasses: 10 });
      }
    }
  });

  it('reports unmatched, missing, mis-shaped and integer tensors, and skips BN batch counters', () => {
    const cfg = efficientNetConfig('b0');
    const state = convertState(fakeState(stateShapes(cfg)), 'timm', 'torchvision', cfg).tensors;
    state.delete('features.3.1.block.1.0.weight');
    state.set('features.4.0.block.3.0.weight', { shape: [80, 240, 1, 2], data: new Float32Array(80 * 240 * 2) });
    state.set('features.8.1.running_var', { shape: [1280], data: new Int32Array(1280) });
    state.set('features.9.0.weight', { shape: [3], data: new Float32Array(3) });
    state.set('features.0.1.num_batches_tracked', { shape: [], data: new Int32Array(1) });
    const { report } = convertState(state, 'torchvision', 'timm', cfg);
    assert.deepEqual(report.unmatched, ['features.9.0.weight']);
    assert.deepEqual(report.missing, ['blocks.2.1.conv_dw.weight']);
    assert.deepEqual(report.misshaped.map((m) => m.name), ['blocks.3.0.conv_pwl.weight', 'bn2.running_var']);
    assert.deepEqual(report.skipped, ['features.0.1.num_batches_tracked']);
    assert.ok(!reportOk(report));
  });

  it('matches every torchvision B0–B4 state-dict name and shape', { skip: torchMissing() }, () => {
    const json = execFileSync(PYTHON, ['tools/reference/efficientnet_shapes.py'], { maxBuffer: 1 << 26 }).toString();
    const tv = JSON.parse(json) as Record<string, Record<string, number[]>>;
    for (const v of VARIANTS) {
      const state = new Map(Object.entries(tv[v]).map(([k, shape]) => [k, {
        shape, data: k.endsWith('num_batches_tracked') ? new Int32Array(1) : new Float32Array(shape.reduce((a, b) => a * b, 1)),
      }]));
      const { report } = convertState(state, 'torchvision', 'timm', efficientNetConfig(v, { numClasses: 1000 }));
      assert.ok(reportOk(report), `${v}: ${JSON.stringify(report).slice(0, 400)}`);
      assert.equal(report.skipped.length, [...state.keys()].filter((k) => k.endsWith('num_batches_tracked')).length);
    }
  });
});
