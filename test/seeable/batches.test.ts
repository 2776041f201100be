// Training batches: view-major rows, one class per pair, deterministic, both view pairings; one
// renderer call per batch.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaceEntry } from '../../src/io/dataset.ts';
import { amplify, trainBatch, type FaceSource } from '../../src/seeable/batches.ts';
import { curriculumGainAt, resolveConfig } from '../../src/seeable/config.ts';
import { prepareFace } from '../../src/seeable/crop.ts';
import { cpuRenderer, type SdRenderer } from '../../src/seeable/discrepancy.ts';
import { gridScheme } from '../../src/seeable/locations.ts';
import { Rng } from '../../src/tensor/random.ts';
import { faceLandmarks, texturedImage } from './fixtures.ts';

const SIZE = 32;
/** Faces that differ in texture (seed) so that a row can be traced to its face. */
function source(n: number): FaceSource {
  const entries = Array.from({ length: n }, (_, i) => ({ path: `face${i}.png`, landmarks: faceLandmarks(20, 24, 60, 70) }) as unknown as FaceEntry);
  return { entries, load: async (i) => texturedImage(100, 110, 100 + i) };
}
const sd = { scheme: gridScheme(2, 2), types: 'sbi2' as const };

function counting(): SdRenderer & { calls: number } {
  const r = { name: 'counting-cpu', calls: 0, render: async (items: Parameters<SdRenderer['render']>[0]) => (r.calls++, cpuRenderer.render(items)) };
  return r;
}

describe('trainBatch', () => {
  for (const pairing of ['same-face', 'two-faces'] as const) {
    it(`${pairing}: 2B view-major rows, pairs share a class, same seed → same batch, one render call`, async () => {
      const src = source(5);
      const renderer = counting();
      const o = { sd, size: SIZE, faces: 3, renderer, pairing };
      const a = await trainBatch(src, new Rng(4), o);
      const b = await trainBatch(src, new Rng(4), o);
      assert.equal(renderer.calls, 2);
      assert.equal(a.images.length, 2 * 3 * 3 * SIZE * SIZE);
      assert.deepEqual(Array.from(a.labels.subarray(0, 3)), Array.from(a.labels.subarray(3)));
      assert.ok(a.labels.every((k) => k >= 0 && k < 8));
      assert.deepEqual(a, b);
      assert.ok(a.images.every(Number.isFinite));
    });
  }
  it('two-faces takes view 2 from another face; same-face from the same one', async () => {
    // With flip and margins random, compare the mean colour of the views: faces differ by texture seed.
    const src = source(4);
    const plane = 3 * SIZE * SIZE;
    const meanGap = async (pairing: 'same-face' | 'two-faces') => {
      const r = await trainBatch(src, new Rng(9), { sd, size: SIZE, faces: 6, renderer: cpuRenderer, pairing });
      let gap = 0;
      for (let b = 0; b < 6; b++) {
        const v1 = r.images.subarray(b * plane, (b + 1) * plane);
        const v2 = r.images.subarray((6 + b) * plane, (7 + b) * plane);
        let d = 0;
        for (let j = 0; j < plane; j++) d += Math.abs(v1[j] - v2[j]);
        gap += d / plane / 6;
      }
      return gap;
    };
    const same = await meanGap('same-face');
    const two = await meanGap('two-faces');
    assert.ok(two > 2 * same, `two-faces pairs should differ more than same-face pairs: ${two} vs ${same}`);
  });
  for (const pairing of ['same-face', 'two-faces'] as const) {
    it(`${pairing} with a pristine fraction: pristine rows (label K) are the unaltered crops, discrepancy rows are not`, async () => {
      const src = source(5);
      const o = { sd, size: SIZE, faces: 12, renderer: cpuRenderer, pairing, pristine: 0.5, gain: 3 };
      const r = await trainBatch(src, new Rng(21), o);
      const labels = Array.from(r.labels);
      assert.deepEqual(labels.slice(0, 12), labels.slice(12));
      assert.ok(labels.includes(8) && labels.some((k) => k < 8), `the fixture mixes both: ${labels}`);
      // Reproduce each row's crop: same rng stream as trainBatch draws it (face, class, [face 2,] crops).
      const rng = new Rng(21);
      const plane = 3 * SIZE * SIZE;
      for (let b = 0; b < 12; b++) {
        const i = rng.int(5);
        const k = rng.uniform() < 0.5 ? 8 : rng.int(8);
        assert.equal(k, r.labels[b]);
        const picks = pairing === 'two-faces' ? [i, (i + 1 + rng.int(4)) % 5] : [i];
        const crops: Float32Array[] = [];
        for (const f of picks) crops.push(prepareFace(await src.load(f), src.entries[f].landmarks, { size: SIZE, phase: 'train', rng }).image.data);
        for (let v = 0; v < 2; v++) {
          const crop: Float32Array = crops[pairing === 'two-faces' ? v : 0];
          const row = r.images.subarray((v * 12 + b) * plane, (v * 12 + b + 1) * plane);
          const diff: number = row.reduce((s: number, x: number, j: number) => s + Math.abs(x - crop[j]), 0);
          if (k === 8) assert.equal(diff, 0, `pristine row ${b} view ${v} is its crop`);
          else assert.ok(diff > 0, `discrepancy row ${b} view ${v} differs from its crop`);
        }
      }
    });
  }
  it('the pristine fraction is checked; without it the batch is the mode (a) batch', async () => {
    const src = source(3);
    const o = { sd, size: SIZE, faces: 2, renderer: cpuRenderer };
    await assert.rejects(trainBatch(src, new Rng(1), { ...o, pristine: 1 }), /pristine fraction/);
    assert.deepEqual(await trainBatch(src, new Rng(1), { ...o, pristine: 0 }), await trainBatch(src, new Rng(1), o));
  });
  it('two-faces needs at least two faces', async () => {
    await assert.rejects(trainBatch(source(1), new Rng(1), { sd, size: SIZE, faces: 1, renderer: cpuRenderer, pairing: 'two-faces' }), /at least 2 training faces/);
  });
});

describe('discrepancy-strength curriculum', () => {
  it('amplify scales the difference from the original and clips to [0, 1]', () => {
    const img = (v: number[]) => ({ width: 2, height: 1, channels: 3, data: Float32Array.from(v) }) as never;
    const out = amplify(img([0.5, 0.5, 0.9, 0.1, 0.2, 0.3]), img([0.6, 0.5, 1.0, 0.0, 0.25, 0.3]), 3);
    const want = [0.8, 0.5, 1, 0, 0.35, 0.3];
    out.data.forEach((v: number, i: number) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${i}: ${v} vs ${want[i]}`));
  });
  it('the gain falls linearly from curriculumGain to 1 over curriculumFraction of the steps', () => {
    const cfg = resolveConfig('tiny', { steps: 100, curriculumGain: 5, curriculumFraction: 0.5 });
    assert.deepEqual([0, 25, 50, 99].map((s) => curriculumGainAt(cfg, s)), [5, 3, 1, 1]);
    assert.equal(curriculumGainAt(resolveConfig('tiny'), 0), 1);
    assert.throws(() => resolveConfig('tiny', { curriculumGain: 0.5 }), /curriculumGain/);
    const floored = resolveConfig('tiny', { steps: 100, curriculumGain: 5, curriculumFraction: 0.5, curriculumFloor: 2 });
    assert.deepEqual([0, 25, 50, 99].map((s) => curriculumGainAt(floored, s)), [5, 3.5, 2, 2]);
    assert.throws(() => resolveConfig('tiny', { curriculumGain: 3, curriculumFloor: 4 }), /curriculumFloor/);
  });
  it('trainBatch with a larger gain moves the discrepancy pixels further, nothing else', async () => {
    const src = source(3);
    const o = { sd, size: SIZE, faces: 2, renderer: cpuRenderer, pairing: 'same-face' as const };
    const [plain, g2, g3] = await Promise.all([1, 2, 3].map((gain) => trainBatch(src, new Rng(5), { ...o, gain })));
    const dist = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0);
    assert.ok(dist(g2.images, plain.images) > 0, 'gain 2 changes pixels');
    assert.ok(dist(g3.images, plain.images) > 1.5 * dist(g2.images, plain.images), 'gain 3 moves them about twice as far as gain 2');
    assert.deepEqual(plain.labels, g3.labels);
    assert.deepEqual(g3.gains, [3, 3]);
  });
  it('curriculumRealShare: the flagged faces keep the real strength, the others are amplified', async () => {
    const src = source(4);
    const B = 8;
    const o = { sd, size: SIZE, faces: B, renderer: cpuRenderer, pairing: 'same-face' as const, realShare: 0.5 };
    // the flags are drawn whatever the gain (> 1), so gains 2 and 3 render the same discrepancies
    const [g2, g3] = await Promise.all([2, 3].map((gain) => trainBatch(src, new Rng(8), { ...o, gain })));
    assert.deepEqual(g2.labels, g3.labels);
    const real = g3.gains.map((g) => g === 1);
    assert.ok(real.some((r) => r) && real.some((r) => !r), `both kinds in a batch of ${B}: ${g3.gains}`);
    assert.deepEqual(g3.gains.map((g) => (g === 1 ? 1 : 3)), g3.gains);
    assert.deepEqual(g2.gains.map((g) => (g === 1 ? 1 : 2)), g2.gains);
    const plane = 3 * SIZE * SIZE;
    for (let b = 0; b < B; b++) {
      for (const v of [0, 1]) {
        const at = (v * B + b) * plane;
        const same = g2.images.subarray(at, at + plane).every((x, i) => x === g3.images[at + i]);
        assert.equal(same, real[b], `face ${b} view ${v}: ${real[b] ? 'real strength, identical' : 'amplified, differs'}`);
      }
    }
    // at gain 1 the option draws nothing: the batch is the plain one
    const plain = { sd, size: SIZE, faces: 2, renderer: cpuRenderer };
    assert.deepEqual(await trainBatch(src, new Rng(1), { ...plain, realShare: 0.5 }), await trainBatch(src, new Rng(1), plain));
    assert.throws(() => resolveConfig('tiny', { curriculumRealShare: 1.5 }), /curriculumRealShare/);
  });
});
