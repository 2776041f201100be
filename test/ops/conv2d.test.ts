import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { convGeometry, samePad } from '../../src/ops/conv-geometry.ts';
import { chooseConvPath, conv2d, convWithGeometry, type ConvPath } from '../../src/ops/conv2d.ts';
import { convForwardGenericRaw } from '../../src/ops/conv2d-raw.ts';
import { tensor } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { refConv2d, refSamePad, type RefConvOptions } from '../helpers/conv-ref.ts';
import { assertClose, checkOp, draw, setupGpu } from '../helpers/harness.ts';
import { nd } from '../helpers/nd.ts';

before(setupGpu);

interface Case {
  name: string;
  x: number[];
  w: number[];
  bias?: boolean;
  o: RefConvOptions;
  path: ConvPath;
}

// Odd channel counts (3, 7, 24, 40, 112 and others that are not multiples of the 8-channel block),
// odd spatial sizes (not multiples of the 4-pixel block), both padding conventions, SAME with odd
// input at stride 2 (asymmetric), dilation 2, groups, non-square windows.
const cases: Case[] = [
  { name: '3×3 pad 1, bias, Cin 3 → 7', x: [2, 3, 9, 11], w: [7, 3, 3, 3], bias: true, o: { padding: 1 }, path: 'igemm' },
  { name: '3×3 stride 2 SAME, odd input (symmetric pad)', x: [1, 5, 9, 7], w: [12, 5, 3, 3], o: { stride: 2, padding: 'same' }, path: 'igemm' },
  { name: 'stem: 3×3 stride 2 SAME, even input (extra pixel bottom/right), Cin 3 → 24, bias', x: [1, 3, 16, 18], w: [24, 3, 3, 3], bias: true, o: { stride: 2, padding: 'same' }, path: 'igemm' },
  { name: '3×3 dilation 2, pad 2, Cout 24', x: [1, 7, 10, 9], w: [24, 7, 3, 3], o: { dilation: 2, padding: 2 }, path: 'igemm' },
  { name: '3×3 dilation 2 SAME, stride 2, odd input', x: [2, 3, 11, 9], w: [5, 3, 3, 3], o: { dilation: 2, stride: 2, padding: 'same' }, path: 'igemm' },
  { name: '5×5 stride 2 SAME, even input', x: [1, 4, 10, 8], w: [9, 4, 5, 5], bias: true, o: { stride: 2, padding: 'same' }, path: 'igemm' },
  { name: 'groups 2, 3×2 window, stride [2, 1], pad [1, 0]', x: [2, 6, 9, 7], w: [10, 3, 3, 2], bias: true, o: { groups: 2, stride: [2, 1], padding: [1, 0] }, path: 'igemm' },
  { name: 'groups 4 with channel multiplier 2', x: [1, 4, 7, 6], w: [8, 1, 3, 3], o: { groups: 4, padding: 'same' }, path: 'igemm' },
  { name: 'groups = C routes to depthwise', x: [2, 7, 8, 9], w: [7, 1, 3, 3], bias: true, o: { groups: 7, padding: 1 }, path: 'depthwise' },
  { name: '1×1 pointwise 40 → 24, bias', x: [2, 40, 5, 7], w: [24, 40, 1, 1], bias: true, o: {}, path: 'pointwise' },
  { name: '1×1 pointwise 7 → 112', x: [1, 7, 3, 5], w: [112, 7, 1, 1], o: { padding: 'same' }, path: 'pointwise' },
  { name: '1×1 stride 2 (not pointwise)', x: [1, 7, 9, 7], w: [3, 7, 1, 1], o: { stride: 2 }, path: 'igemm' },
  { name: '1×1 with padding 1 (not pointwise)', x: [1, 3, 4, 5], w: [5, 3, 1, 1], bias: true, o: { padding: 1 }, path: 'igemm' },
  { name: '3×3 stride 3, pad 1 (generic kernel: W stride > 2)', x: [2, 4, 11, 10], w: [6, 4, 3, 3], bias: true, o: { stride: 3, padding: 1 }, path: 'igemm' },
  { name: '2×4 window, stride [1, 3], SAME', x: [1, 3, 7, 13], w: [5, 3, 2, 4], o: { stride: [1, 3], padding: 'same' }, path: 'igemm' },
  { name: 'window as large as the padded input', x: [1, 2, 3, 4], w: [3, 2, 5, 6], o: { padding: [1, 1] }, path: 'igemm' },
];

describe('conv2d vs float64', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const geo = convGeometry(c.x, c.w, c.o);
      assert.equal(chooseConvPath(geo), c.path, 'path choice');
      const inputs = [{ shape: c.x }, { shape: c.w }, ...(c.bias ? [{ shape: [c.w[0]] }] : [])];
      await checkOp(`conv2d ${c.name}`, {
        inputs,
        run: (x, w, b) => conv2d(x, w, { ...c.o, bias: b }),
        ref: (x, w, b) => refConv2d(x, w, b ?? null, c.o),
        tol: { rel: 2e-6 * Math.sqrt(c.w[1] * c.w[2] * c.w[3]) + 1e-6 },
        gradTol: { rel: 2e-3, abs: 1e-5 },
        maxGradChecks: 60,
      });
    });
  }
});

describe('conv2d kernels agree with the naive reference kernel', () => {
  // Larger odd shapes, forward only: the fast paths against the permanent naive kernel and float64.
  const big: [string, number[], number[], RefConvOptions][] = [
    ['3×3 SAME 13 → 40 on 19×21', [2, 13, 19, 21], [40, 13, 3, 3], { padding: 'same' }],
    ['1×1 112 → 40 on 7×9', [1, 112, 7, 9], [40, 112, 1, 1], {}],
    ['3×3 stride 2 SAME 24 → 17 on 14×15', [1, 24, 14, 15], [17, 24, 3, 3], { stride: 2, padding: 'same' }],
  ];
  for (const [name, xs, ws, o] of big) {
    it(name, async () => {
      const rng = new Rng(7);
      const xh = draw(rng, xs.reduce((a, b) => a * b), 'normal');
      const wh = draw(rng, ws.reduce((a, b) => a * b), 'normal');
      const expected = refConv2d(nd(xh, xs), nd(wh, ws), null, o).data;
      const x = tensor(xh, xs);
      const w = tensor(wh, ws);
      const geo = convGeometry(xs, ws, o);
      const tol = { rel: 2e-6 * Math.sqrt(ws[1] * ws[2] * ws[3]) };
      for (const path of ['naive', chooseConvPath(geo)] as ConvPath[]) {
        const y = convWithGeometry(x, w, null, geo, path);
        assertClose(await y.read(), expected, tol, `${name} (${path})`);
        y.dispose();
      }
      if (ws[2] > 1) {
        const y = convForwardGenericRaw(x, w, null, geo);  // the bounds-checked kernel the vec4 one replaces
        assertClose(await y.read(), expected, tol, `${name} (generic igemm)`);
        y.dispose();
      }
      x.dispose();
      w.dispose();
    });
  }
});

describe('conv geometry', () => {
  it('SAME padding follows TensorFlow (odd pixel bottom/right)', () => {
    for (const [n, k, s, d] of [[224, 3, 2, 1], [7, 3, 2, 1], [112, 5, 2, 1], [9, 3, 1, 2], [10, 5, 2, 1], [1, 3, 2, 1], [15, 1, 2, 1]]) {
      const p = samePad(n, k, s, d);
      assert.deepEqual([p.before, p.after], refSamePad(n, k, s, d), `n=${n} k=${k} s=${s} d=${d}`);
    }
    assert.deepEqual(samePad(224, 3, 2, 1), { before: 0, after: 1 });
    assert.deepEqual(samePad(112, 5, 2, 1), { before: 1, after: 2 });
  });
  it('rejects mismatched shapes with the shapes in the message', () => {
    assert.throws(() => convGeometry([1, 4, 5, 5], [8, 3, 3, 3], {}), /needs 4 input channels per group/);
    assert.throws(() => convGeometry([1, 6, 5, 5], [8, 3, 3, 3], { groups: 4 }), /groups = 4 must divide/);
    assert.throws(() => convGeometry([1, 3, 2, 2], [8, 3, 5, 5], {}), /does not fit/);
    assert.throws(() => convGeometry([1, 3, 5, 5], [8, 3, 3, 3], { stride: 0 }), /stride/);
  });
});
