import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FLIP_68, landmarkBox } from '../../src/seeable/landmarks.ts';
import { locationScheme } from '../../src/seeable/locations.ts';
import { extendLandmarks, MESHGRID_REGIONS, meshgridScheme } from '../../src/seeable/meshgrid.ts';
import { fillPolygon, maskArea } from '../../src/seeable/raster.ts';
import { faceLandmarks, symmetricLandmarks } from './fixtures.ts';

describe('meshgrid locations', () => {
  it('fillPolygon fills a non-convex L shape with its boundary', () => {
    // L: 0..6 × 0..2 plus 0..2 × 2..6 (integer corners, boundary included)
    const m = fillPolygon([[0, 0], [6, 0], [6, 2], [2, 2], [2, 6], [0, 6]], 10, 10);
    assert.equal(maskArea(m), 7 * 3 + 3 * 4);
    assert.equal(m[4 * 10 + 4], 0); // the notch stays empty
  });

  it('extended landmarks push the brows up and leave the rest', () => {
    const lm = faceLandmarks(10, 30, 60, 60);
    const ext = extendLandmarks(lm);
    for (let i = 17; i <= 26; i++) assert.ok(ext[2 * i + 1] < lm[2 * i + 1] - 2, `brow point ${i}`);
    for (const i of [0, 8, 30, 36, 48]) assert.deepEqual([ext[2 * i], ext[2 * i + 1]], [lm[2 * i], lm[2 * i + 1]]);
    assert.ok(landmarkBox(ext).y0 < landmarkBox(lm).y0);
  });

  it('13 non-empty regions; mirror is an involution matching the flipped symmetric face; distances are a metric', () => {
    const g = locationScheme('meshgrid');
    assert.equal(g.count, 13);
    assert.equal(MESHGRID_REGIONS.length, 13);
    const axis = 48;
    const W = 2 * axis + 1, H = 100;
    const sym = symmetricLandmarks(faceLandmarks(12.5, 30, 71, 65), FLIP_68, axis);
    const { masks } = meshgridScheme().masks(sym, W, H);
    for (let k = 0; k < 13; k++) {
      assert.ok(maskArea(masks[k]) > 0, `region ${k} is empty`);
      assert.equal(g.mirror(g.mirror(k)), k);
      const mm = masks[g.mirror(k)];
      let same = 0;
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (masks[k][y * W + x] && mm[y * W + (W - 1 - x)]) same++;
      assert.ok(same >= 0.8 * maskArea(masks[k]), `region ${k}: ${same}/${maskArea(masks[k])} mirror into ${g.mirror(k)}`);
      for (let b = 0; b < 13; b++) {
        assert.ok(Number.isFinite(g.distance(k, b)));
        assert.equal(g.distance(k, b), g.distance(b, k));
        assert.equal(g.distance(k, b) === 0, k === b);
        for (let c = 0; c < 13; c++) assert.ok(g.distance(k, c) <= g.distance(k, b) + g.distance(b, c));
      }
    }
    for (let k = 0; k < 5; k++) assert.equal(g.mirror(k), k); // midline regions
    assert.equal(g.distance(3, 2), 1); // mouth and philtrum share the upper lip points
  });
});
