import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLIP_68, flipLandmarks } from '../../src/seeable/landmarks.ts';
import {
  componentsScheme, dflScheme, gridCellIndex, gridScheme, hullMask, locationScheme, wholeScheme, TINY_FRACTION,
} from '../../src/seeable/locations.ts';
import { maskArea } from '../../src/seeable/raster.ts';
import { faceLandmarks, symmetricLandmarks } from './fixtures.ts';

const W = 97;
const H = 89;

describe('grid locations', () => {
  const lm = faceLandmarks(14.3, 9.7, 69.2, 74.6);

  it('cells partition the filled hull exactly (raw cells, before the tiny-cell rule)', () => {
    const hull = hullMask(lm, W, H);
    const cellOf = gridCellIndex(lm, 4, 4);
    const counts = new Array(16).fill(0);
    for (let i = 0; i < hull.length; i++) if (hull[i]) counts[cellOf(i % W, Math.floor(i / W))]++;
    assert.equal(counts.reduce((a, b) => a + b, 0), maskArea(hull));
    // and the scheme's masks are exactly those cells when none is widened
    const { masks, widened } = gridScheme(4, 4).masks(lm, W, H);
    assert.ok(widened.every((w) => !w), `no cell is tiny on the frontal mean face: ${widened}`);
    const cover = new Uint8Array(W * H);
    masks.forEach((m, k) => {
      assert.equal(maskArea(m), counts[k], `cell ${k}`);
      m.forEach((v, i) => {
        if (v) {
          assert.equal(cover[i], 0, `pixel ${i} is in two cells`);
          cover[i] = 1;
        }
      });
    });
    assert.deepEqual(cover, hull);
  });

  it('cells are row-major from the top-left: the left eye lies in a left cell, the chin in the bottom row', () => {
    const cellOf = gridCellIndex(lm, 4, 4);
    const at = (i: number) => cellOf(Math.round(lm[2 * i]), Math.round(lm[2 * i + 1]));
    assert.equal(at(36) % 4, 0); // image-left eye corner: column 0
    assert.equal(at(45) % 4, 3); // image-right eye corner: column 3
    assert.equal(Math.floor(at(8) / 4), 3); // chin: bottom row
    assert.equal(Math.floor(at(19) / 4), 0); // brow: top row
  });

  it('mirror map is an involution and matches the mirrored face', () => {
    const g = gridScheme(4, 4);
    for (let k = 0; k < 16; k++) {
      assert.equal(g.mirror(g.mirror(k)), k);
      assert.equal(Math.floor(g.mirror(k) / 4), Math.floor(k / 4));
    }
    assert.equal(g.mirror(0), 3);
    assert.equal(g.mirror(5), 6);
    // On an exactly symmetric face, the mask of mirror(k) is mask k flipped (up to the cell border columns).
    const axis = 48;
    const sym = symmetricLandmarks(faceLandmarks(12.5, 8, 71, 75), FLIP_68, axis);
    const S = 2 * axis + 1;
    const { masks } = g.masks(sym, S, H);
    for (let k = 0; k < 16; k++) {
      const m = masks[k];
      const mm = masks[g.mirror(k)];
      let same = 0;
      let area = 0;
      for (let y = 0; y < H; y++) {
        for (let x = 0; x < S; x++) {
          if (m[y * S + x]) {
            area++;
            if (mm[y * S + (S - 1 - x)]) same++;
          }
        }
      }
      assert.ok(same >= 0.75 * area, `cell ${k}: only ${same}/${area} pixels mirror into cell ${g.mirror(k)}`);
    }
  });

  it('graph distance is the 4-neighbour grid metric', () => {
    const g = gridScheme(4, 4);
    for (let a = 0; a < 16; a++) {
      assert.equal(g.distance(a, a), 0);
      for (let b = 0; b < 16; b++) {
        assert.equal(g.distance(a, b), g.distance(b, a));
        if (a !== b) assert.ok(g.distance(a, b) >= 1);
        for (let c = 0; c < 16; c++) assert.ok(g.distance(a, c) <= g.distance(a, b) + g.distance(b, c));
      }
    }
    assert.equal(g.distance(0, 1), 1);
    assert.equal(g.distance(0, 4), 1);
    assert.equal(g.distance(0, 15), 6);
    assert.equal(g.distance(5, g.mirror(5)), 1);
    assert.equal(g.distance(4, g.mirror(4)), 3);
  });

  it('a tiny corner cell is widened to the cell ∩ the 1.15× hull, never empty', () => {
    // A strongly rotated face leaves little hull in some corner cells.
    const tilted = faceLandmarks(20, 15, 60, 62, 0.6);
    const hull = hullMask(tilted, W, H);
    const cellOf = gridCellIndex(tilted, 4, 4);
    const raw = new Array(16).fill(0);
    for (let i = 0; i < hull.length; i++) if (hull[i]) raw[cellOf(i % W, Math.floor(i / W))]++;
    const { masks, widened } = gridScheme(4, 4).masks(tilted, W, H);
    const limit = TINY_FRACTION * maskArea(hull);
    assert.ok(widened.some(Boolean), `expected a tiny cell; raw areas ${raw}`);
    for (let k = 0; k < 16; k++) {
      assert.equal(widened[k], raw[k] < limit, `cell ${k}`);
      assert.ok(maskArea(masks[k]) > 0, `cell ${k} is empty`);
      if (widened[k]) assert.ok(maskArea(masks[k]) >= raw[k]);
      masks[k].forEach((v, i) => v && assert.equal(cellOf(i % W, Math.floor(i / W)), k, `cell ${k} leaks out of its rectangle`));
    }
  });
});

describe('other location schemes', () => {
  const lm = faceLandmarks(14.3, 9.7, 69.2, 74.6);
  for (const scheme of [wholeScheme(), dflScheme(), componentsScheme(), locationScheme('grid2x3')]) {
    it(`${scheme.name}: ${scheme.count} non-empty masks inside the image, mirror is an involution`, () => {
      const { masks } = scheme.masks(lm, W, H);
      assert.equal(masks.length, scheme.count);
      for (let k = 0; k < scheme.count; k++) {
        assert.ok(maskArea(masks[k]) > 0, `location ${k} is empty`);
        assert.equal(scheme.mirror(scheme.mirror(k)), k);
        assert.equal(scheme.distance(k, k), 0);
      }
    });
  }
  it('components: the mirror of the image-left jaw covers the mirrored face’s jaw', () => {
    const c = componentsScheme();
    const flipped = flipLandmarks(lm, W);
    const a = c.masks(lm, W, H).masks[0];
    const b = c.masks(flipped, W, H).masks[c.mirror(0)];
    let same = 0;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (a[y * W + x] && b[y * W + (W - 1 - x)]) same++;
    assert.ok(same >= 0.9 * maskArea(a), `${same} of ${maskArea(a)}`);
  });
  it('rejects an unknown scheme by name', () => {
    assert.throws(() => locationScheme('meshgrid7'), /Unknown location scheme "meshgrid7"/);
  });
});
