import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { prepareFace } from '../../src/seeable/crop.ts';
import {
  classOf, cpuRenderer, defaultSdConfig, makeDiscrepancies, makeDiscrepancyBatch, numClasses, splitClass, type SdConfig,
} from '../../src/seeable/discrepancy.ts';
import { gpuRenderer } from '../../src/seeable/gpu-render.ts';
import { gridScheme } from '../../src/seeable/locations.ts';
import { applyPostAug, samplePostAug } from '../../src/seeable/post-augment.ts';
import { Rng } from '../../src/tensor/random.ts';
import { setupGpu } from '../helpers/harness.ts';
import { faceLandmarks, texturedImage } from './fixtures.ts';

const S = 40;
const img = texturedImage(120, 130, 7);
const lm = faceLandmarks(30, 38, 60, 66);
const face = () => ({ ...prepareFace(img, lm, { size: S, phase: 'test' }), size: S });
const cfg = defaultSdConfig();
const all = Array.from({ length: numClasses(cfg) }, (_, k) => k);

describe('labels', () => {
  it('k = loc·N_type + type, 32 classes for a 4×4 grid with 2 types; ext4 gives 64', () => {
    assert.equal(numClasses(cfg), 32);
    assert.equal(numClasses({ ...cfg, types: 'ext4' }), 64);
    for (let k = 0; k < 32; k++) {
      const { loc, type } = splitClass(k, 2);
      assert.equal(classOf(loc, type, 2), k);
      assert.ok(loc < 16 && type < 2);
    }
    assert.deepEqual(splitClass(7, 2), { loc: 3, type: 1 });
  });
});

describe('soft discrepancies (CPU reference)', () => {
  it('same seed → identical plans, masks and images; another seed → different ones', async () => {
    const a = await makeDiscrepancies(face(), [0, 9, 30], new Rng(11), cfg);
    const b = await makeDiscrepancies(face(), [0, 9, 30], new Rng(11), cfg);
    const c = await makeDiscrepancies(face(), [0, 9, 30], new Rng(12), cfg);
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(a[i].plan, b[i].plan);
      assert.deepEqual(a[i].mask, b[i].mask);
      assert.deepEqual(a[i].image.data, b[i].image.data);
    }
    assert.notDeepEqual(a.map((s) => s.image.data), c.map((s) => s.image.data));
  });

  it('each class alters its own location: X = target where M = 0, X ≠ target inside, M ∈ [0, ratio] peaking near ratio', async () => {
    const f = face();
    const sds = await makeDiscrepancies(f, all, new Rng(3), cfg);
    const n = S * S;
    for (const sd of sds) {
      assert.equal(sd.plan.label, classOf(sd.plan.loc, sd.plan.type, 2));
      let mx = 0;
      for (const v of sd.mask) {
        assert.ok(v >= 0 && v <= sd.plan.mask.ratio + 1e-6);
        mx = Math.max(mx, v);
      }
      // normalised to 1 at the intermediate size, then resized back: the peak may fall between samples
      assert.ok(mx >= 0.9 * sd.plan.mask.ratio, `class ${sd.plan.label}: mask max ${mx}, ratio ${sd.plan.mask.ratio}`);
      // where M = 0 the output is exactly the target: the face itself unless the altered copy is the target
      if (!sd.plan.swap) {
        let inside = 0;
        for (let i = 0; i < n; i++) {
          for (let c = 0; c < 3; c++) {
            const d = Math.abs(sd.image.data[c * n + i] - f.image.data[c * n + i]);
            if (sd.mask[i] === 0) assert.equal(d, 0, `class ${sd.plan.label} changed pixel ${i} outside its mask`);
            else inside = Math.max(inside, d);
          }
        }
        assert.ok(inside > 1e-3, `class ${sd.plan.label} left its location unchanged (max diff ${inside})`);
      }
      // the soft mask is centred on its location: most of the location has M > 0
      let covered = 0, area = 0;
      sd.location.forEach((v, i) => v && (area++, sd.mask[i] > 0 && covered++));
      assert.ok(covered >= 0.5 * area, `class ${sd.plan.label}: the mask covers ${covered}/${area} of its location`);
    }
  });

  it('the extended type set and other schemes run; a bad class is rejected', async () => {
    const ext: SdConfig = { scheme: gridScheme(2, 3), types: 'ext4' };
    const sds = await makeDiscrepancies(face(), [0, 5, 23], new Rng(1), ext);
    assert.deepEqual(sds.map((s) => [s.plan.loc, s.plan.type]), [[0, 0], [1, 1], [5, 3]]);
    assert.equal(sds[2].plan.steps[0].op, 'band');
    await assert.rejects(makeDiscrepancies(face(), [24], new Rng(1), ext), /class 24 is not in 0\.\.23/);
  });
});

describe('post-augmentation', () => {
  it('is seeded and refuses to skip a drawn JPEG step without a codec', async () => {
    const x = face().image;
    const rng = new Rng(4);
    let p = samplePostAug(rng);
    while (p.jpegQuality === null) p = samplePostAug(rng);
    assert.ok(p.jpegQuality >= 40 && p.jpegQuality <= 100);
    await assert.rejects(applyPostAug(x, p), /no JPEG codec/);
    const noJpeg = { ...p, jpegQuality: null };
    const a = await applyPostAug(x, noJpeg);
    assert.deepEqual(a.data, (await applyPostAug(x, noJpeg)).data);
    assert.deepEqual(samplePostAug(new Rng(8)), samplePostAug(new Rng(8)));
  });
});

describe('GPU renderer', () => {
  before(setupGpu);
  it('matches the CPU reference on every class of a 40×40 face (max |Δ| ≤ 2e-3)', async () => {
    const f = face();
    const cpu = await makeDiscrepancies(f, all, new Rng(21), cfg, cpuRenderer);
    const gpu = await makeDiscrepancies(f, all, new Rng(21), cfg, gpuRenderer);
    for (let i = 0; i < all.length; i++) {
      assert.deepEqual(gpu[i].plan, cpu[i].plan);
      let worst = 0, at = -1;
      gpu[i].image.data.forEach((v, j) => {
        assert.ok(Number.isFinite(v), `class ${i}: element ${j} is ${v}`);
        const d = Math.abs(v - cpu[i].image.data[j]);
        if (d > worst) (worst = d), (at = j);
      });
      const ops = cpu[i].plan.steps.map((s) => s.op).join('+');
      assert.ok(worst <= 2e-3, `class ${i} (${ops}, swap ${cpu[i].plan.swap}): max |gpu − cpu| ${worst} at ${at}`);
    }
  });
});

describe('batched generation', () => {
  it('makeDiscrepancyBatch over several faces equals the per-face calls with the same Rng stream', async () => {
    const f1 = face();
    const f2 = { ...prepareFace(texturedImage(110, 120, 8), faceLandmarks(20, 30, 64, 70), { size: S, phase: 'test' }), size: S };
    const rngA = new Rng(31);
    const one = [await makeDiscrepancies(f1, [3, 4], rngA, cfg), await makeDiscrepancies(f2, [17], rngA, cfg)];
    const many = await makeDiscrepancyBatch([{ face: f1, labels: [3, 4] }, { face: f2, labels: [17] }], new Rng(31), cfg);
    assert.deepEqual(many.map((r) => r.length), [2, 1]);
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < one[r].length; i++) {
        assert.deepEqual(many[r][i].plan, one[r][i].plan);
        assert.deepEqual(many[r][i].image.data, one[r][i].image.data);
      }
    }
  });
});
