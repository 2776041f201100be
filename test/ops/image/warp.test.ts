import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { cvResize, resizeTaps } from '../../../src/ops/image/resize.ts';
import { resizeBilinear } from '../../../src/ops/resize.ts';
import { affineAboutCenter, invertAffine, remap, warpAffine, type Affine, type Interp, type SampleBorder } from '../../../src/ops/image/warp.ts';
import { tensor } from '../../../src/tensor/create.ts';
import { Rng } from '../../../src/tensor/random.ts';
import { assertClose, checkOp, draw, setupGpu } from '../../helpers/harness.ts';
import { nd } from '../../helpers/nd.ts';
import { clamp, sample, type Border } from './ref-image.ts';

before(setupGpu);

const toRefBorder = (b: SampleBorder): Border | 'replicate' => b;
function refSample(x: ArrayLike<number>, base: number, h: number, w: number, sy: number, sx: number, interp: Interp, border: SampleBorder, value: number): number {
  if (border === 'replicate') {
    const g = (yy: number, xx: number) => x[base + clamp(yy, 0, h - 1) * w + clamp(xx, 0, w - 1)];
    if (interp === 'nearest') return g(Math.floor(sy + 0.5), Math.floor(sx + 0.5));
    const y0 = Math.floor(sy), x0 = Math.floor(sx), fy = sy - y0, fx = sx - x0;
    return (1 - fy) * ((1 - fx) * g(y0, x0) + fx * g(y0, x0 + 1)) + fy * ((1 - fx) * g(y0 + 1, x0) + fx * g(y0 + 1, x0 + 1));
  }
  return sample(x, base, h, w, sy, sx, interp, toRefBorder(border) as Border, value);
}

describe('warpAffine vs float64 (OpenCV semantics)', () => {
  const rng = new Rng(3);
  const cases: [number[], number, number, Interp, SampleBorder][] = [
    [[3, 37, 45], 37, 45, 'bilinear', 'constant'],
    [[3, 37, 45], 41, 29, 'nearest', 'constant'],
    [[2, 3, 19, 23], 19, 23, 'bilinear', 'reflect101'],
    [[2, 1, 19, 23], 19, 23, 'nearest', 'reflect101'],
    [[31, 17], 31, 17, 'bilinear', 'replicate'],
  ];
  for (const [shape, oh, ow, interp, border] of cases) {
    it(`${interp} ${border} [${shape}] → ${oh}×${ow}`, async () => {
      const [n, c, h, w] = shape.length === 4 ? shape : shape.length === 3 ? [1, ...shape] : [1, 1, ...shape];
      const mats: Affine[] = Array.from({ length: n }, () => {
        const m = affineAboutCenter(h, w, { scale: rng.uniform(0.8, 1.25), rotateDeg: rng.uniform(-20, 20), tx: rng.uniform(-4, 4), ty: rng.uniform(-3, 3) });
        return m.map((v) => Math.fround(v)) as unknown as Affine;
      });
      const x = draw(rng, n * c * h * w);
      const value = 0.375;
      const out = warpAffine(tensor(x, shape), mats, { outH: oh, outW: ow, interp, border, borderValue: value });
      assert.deepEqual([...out.shape], [...shape.slice(0, -2), oh, ow]);
      const got = await out.read();
      // Float64 reference; nearest-sampled pixels within 1e-3 of a rounding tie are left out, since the GPU's
      // f32 coordinate may round the other way (bilinear is continuous and needs no such care).
      const ref: number[] = [];
      const cmp: number[] = [];
      for (let i = 0; i < got.length; i++) {
        const xx = i % ow, yy = Math.floor(i / ow) % oh, pl = Math.floor(i / (ow * oh));
        const a = invertAffine(mats[Math.floor(pl / c)]).map((v) => Math.fround(v));
        const sx = a[0] * xx + a[1] * yy + a[2];
        const sy = a[3] * xx + a[4] * yy + a[5];
        const tie = (v: number) => Math.abs(v - Math.floor(v) - 0.5) < 1e-3;
        if (interp === 'nearest' && (tie(sx) || tie(sy))) continue;
        ref.push(refSample(x, pl * h * w, h, w, sy, sx, interp, border, value));
        cmp.push(got[i]);
      }
      assert.ok(ref.length > 0.95 * got.length, 'too many ties left out');
      // measured ≤ 3e-6 of scale: the f32 source coordinate is off by ~1e-5 px on random (steep) images
      assertClose(cmp, ref, { rel: 2e-5, abs: 1e-6 }, `warpAffine ${interp} ${border}`);
      out.dispose();
    });
  }
  it('identity and pure integer translation copy pixels exactly', async () => {
    await checkOp('warp-shift', {
      inputs: [{ shape: [3, 13, 21] }],
      run: (x) => warpAffine(x, [1, 0, 2, 0, 1, -3], { interp: 'bilinear', border: 'reflect101' }),
      ref: (x) => {
        const out = new Float64Array(x.data.length);
        for (let i = 0; i < out.length; i++) {
          const xx = i % 21, yy = Math.floor(i / 21) % 13, pl = Math.floor(i / 273);
          out[i] = sample(x.data, pl * 273, 13, 21, yy + 3, xx - 2, 'nearest', 'reflect101');
        }
        return nd(out, x.shape);
      },
      tol: { rel: 0, abs: 0 },
      noGrad: true,
    });
  });
  it('affineAboutCenter fixes the image centre and invertAffine inverts', () => {
    const m = affineAboutCenter(40, 60, { scale: 1.1, rotateDeg: 17 });
    const [a, b, c, d, e, f] = m;
    assert.ok(Math.abs(a * 29.5 + b * 19.5 + c - 29.5) < 1e-9 && Math.abs(d * 29.5 + e * 19.5 + f - 19.5) < 1e-9);
    const inv = invertAffine(m);
    const px = a * 3 + b * 7 + c, py = d * 3 + e * 7 + f;
    assert.ok(Math.abs(inv[0] * px + inv[1] * py + inv[2] - 3) < 1e-9 && Math.abs(inv[3] * px + inv[4] * py + inv[5] - 7) < 1e-9);
  });
});

describe('remap vs float64', () => {
  const rng = new Rng(5);
  const cases: [number[], number[], Interp, SampleBorder, boolean][] = [
    [[3, 29, 37], [29, 37], 'bilinear', 'reflect101', true],
    [[2, 1, 29, 37], [2, 1, 29, 37], 'nearest', 'reflect101', true],
    [[2, 3, 17, 19], [2, 23, 11], 'bilinear', 'constant', false],
    [[1, 9, 7], [13, 5], 'nearest', 'constant', false],
  ];
  for (const [shape, mshape, interp, border, relative] of cases) {
    it(`${interp} ${border} ${relative ? 'displacement' : 'absolute'} [${shape}] with maps [${mshape}]`, async () => {
      const [n, c, h, w] = shape.length === 4 ? shape : [1, ...shape];
      const oh = mshape[mshape.length - 2], ow = mshape[mshape.length - 1];
      const maps = mshape.length === 2 ? 1 : n;
      // Displacements up to ±6 px (past the border), absolute maps over [−5, size + 5].
      const mk = (size: number) => Float64Array.from({ length: maps * oh * ow }, () => {
        let v = relative ? rng.uniform(-6, 6) : rng.uniform(-5, size + 5);
        if (interp === 'nearest' && Math.abs(v - Math.floor(v) - 0.5) < 1e-3) v += 0.01; // no ties
        return Math.fround(v);
      });
      const mx = mk(w), my = mk(h);
      await checkOp(`remap-${interp}-${border}-${relative}`, {
        inputs: [{ shape }, { shape: mshape, values: mx, noGrad: true }, { shape: mshape, values: my, noGrad: true }],
        run: (x, a, b) => remap(x, a, b, { interp, border, borderValue: -0.25, relative }),
        ref: (x) => {
          const out = new Float64Array(n * c * oh * ow);
          for (let i = 0; i < out.length; i++) {
            const pix = i % (oh * ow), pl = Math.floor(i / (oh * ow));
            const mi = (maps === 1 ? 0 : Math.floor(pl / c)) * oh * ow + pix;
            // The GPU adds the pixel position in f32: the reference rounds the same sum once.
            const sx = relative ? Math.fround(mx[mi] + (pix % ow)) : mx[mi];
            const sy = relative ? Math.fround(my[mi] + Math.floor(pix / ow)) : my[mi];
            out[i] = refSample(x.data, pl * h * w, h, w, sy, sx, interp, border, -0.25);
          }
          return nd(out, [...shape.slice(0, -2), oh, ow]);
        },
        tol: { rel: 2e-6, abs: 1e-6 },
        noGrad: true,
      });
    });
  }
});

describe('cvResize vs float64 (cv2.resize INTER_LINEAR / INTER_NEAREST)', () => {
  const cases: [number[], number, number, 'linear' | 'nearest'][] = [
    [[3, 37, 45], 61, 90, 'linear'],    // upsampling
    [[3, 37, 45], 19, 13, 'linear'],    // downsampling, no antialias
    [[2, 1, 200, 131], 256, 192, 'linear'],
    [[3, 37, 45], 18, 11, 'nearest'],
    [[5, 7], 23, 3, 'nearest'],
    [[5, 7], 5, 7, 'linear'],          // same size: a copy
  ];
  for (const [shape, oh, ow, interp] of cases) {
    it(`${interp} [${shape}] → ${oh}×${ow}`, async () => {
      const h = shape[shape.length - 2], w = shape[shape.length - 1];
      await checkOp(`resize-${interp}-${shape}-${oh}-${ow}`, {
        inputs: [{ shape }],
        run: (x) => cvResize(x, oh, ow, interp),
        ref: (x) => {
          // Plain float64 geometry (not the taps under test): half-pixel centres clamped at both ends.
          const planes = x.data.length / (h * w);
          const out = new Float64Array(planes * oh * ow);
          const coord = (d: number, inSize: number, outSize: number) => {
            if (interp === 'nearest') return Math.min(Math.floor((d * inSize) / outSize), inSize - 1);
            return clamp((d + 0.5) * (inSize / outSize) - 0.5, 0, inSize - 1);
          };
          for (let i = 0; i < out.length; i++) {
            const xx = i % ow, yy = Math.floor(i / ow) % oh, pl = Math.floor(i / (ow * oh));
            out[i] = sample(x.data, pl * h * w, h, w, coord(yy, h, oh), coord(xx, w, ow), 'bilinear', 'reflect101');
          }
          return nd(out, [...shape.slice(0, -2), oh, ow]);
        },
        tol: { rel: 1e-5, abs: 1e-6 },
        noGrad: true,
      });
    });
  }
  it('linear equals the PyTorch-semantics resizeBilinear (align_corners false) up and down', async () => {
    const rng = new Rng(8);
    for (const [h, w, oh, ow] of [[37, 45, 61, 90], [200, 131, 97, 64], [33, 20, 33, 41]]) {
      const x = tensor(draw(rng, 2 * h * w), [1, 2, h, w]);
      const a = cvResize(x, oh, ow, 'linear');
      const b = resizeBilinear(x, [oh, ow]);
      // resizeBilinear computes source coordinates in f32 on the GPU (~1e-5 px off): agree to 1e-4 of scale.
      assertClose(await a.read(), await b.read(), { rel: 1e-4, abs: 1e-6 }, `cvResize vs resizeBilinear ${h}×${w}→${oh}×${ow}`);
      [x, a, b].forEach((t) => t.dispose());
    }
  });
  it('taps match OpenCV: an exact 2× shrink averages pixel pairs; edges clamp', () => {
    assert.deepEqual(resizeTaps(8, 4, 'linear'), [[0, 0.5], [2, 0.5], [4, 0.5], [6, 0.5]]);
    assert.deepEqual(resizeTaps(4, 8, 'linear').map(([s]) => s), [0, 0, 0, 1, 1, 2, 2, 3]);
    assert.deepEqual(resizeTaps(4, 8, 'linear')[0], [0, 0]);
    assert.deepEqual(resizeTaps(4, 8, 'linear')[7], [3, 0]);
    assert.deepEqual(resizeTaps(10, 4, 'nearest').map(([s]) => s), [0, 2, 5, 7]);
  });
});
