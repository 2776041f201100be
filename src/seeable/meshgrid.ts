// The Meshgrid location scheme (method spec §3.1 item 2; the documented alternative to the grid):
// 13 filled polygons (not hulls) through landmark lists, drawn on "extended" landmarks whose brows are
// pushed up the forehead (§3.1 item 5). 5 midline regions, 4 image-left regions and their mirrors.
import { FLIP_68, type Landmarks } from './landmarks.ts';
import type { LocationScheme } from './locations.ts';
import { fillPolygon, type Point } from './raster.ts';

const span = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

// 0-based iBUG indices (the spec lists them 1-based).
const MIDLINE: readonly (readonly number[])[] = [
  [19, 20, 21, 27, 22, 23, 24], // between the brows
  span(30, 35), // lower nose
  [...span(31, 35), 54, 53, 52, 51, 50, 49, 48], // upper lip / philtrum
  span(48, 59), // mouth
  [...span(6, 10), ...span(54, 59), 48], // chin
];
const LEFT: readonly (readonly number[])[] = [
  [...span(0, 6), 48, 31, 39, 40, 41, 36, 17], // cheek
  span(36, 41), // eye
  [...span(17, 21), 27, 39, 38, 37, 36], // brow to eye
  [...span(27, 30), 31, 39], // side of the nose
];
const RIGHT = LEFT.map((r) => r.map((i) => FLIP_68[i]));
export const MESHGRID_REGIONS: readonly (readonly number[])[] = [...MIDLINE, ...LEFT, ...RIGHT];

/**
 * Brows pushed up: each brow point b ↦ b + ⌊(b − e)/2⌋ with e its "eye top" point: for the image-left
 * brow 17..21, e = [the point a quarter of the way from the eye's outer corner 36 to the jaw start 0,
 * 36, 37, 38, 39]; the other brow mirrors it.
 */
export function extendLandmarks(lm: Landmarks): Landmarks {
  const out = Float64Array.from(lm);
  const quarter = (eye: number, jaw: number): Point => [
    lm[2 * eye] + 0.25 * (lm[2 * jaw] - lm[2 * eye]), lm[2 * eye + 1] + 0.25 * (lm[2 * jaw + 1] - lm[2 * eye + 1]),
  ];
  const pt = (i: number): Point => [lm[2 * i], lm[2 * i + 1]];
  const left: Point[] = [quarter(36, 0), pt(36), pt(37), pt(38), pt(39)];
  const right: Point[] = [quarter(45, 16), pt(45), pt(44), pt(43), pt(42)];
  const push = (brow: number, e: Point) => {
    out[2 * brow] = lm[2 * brow] + Math.floor((lm[2 * brow] - e[0]) / 2);
    out[2 * brow + 1] = lm[2 * brow + 1] + Math.floor((lm[2 * brow + 1] - e[1]) / 2);
  };
  for (let k = 0; k < 5; k++) {
    push(17 + k, left[k]);
    push(26 - k, right[k]);
  }
  return out;
}

/** Regions are adjacent when they share a landmark; the distance is the hop count (BFS). */
function regionDistances(): number[][] {
  const k = MESHGRID_REGIONS.length;
  const sets = MESHGRID_REGIONS.map((r) => new Set(r));
  const d = Array.from({ length: k }, () => new Array<number>(k).fill(Infinity));
  for (let s = 0; s < k; s++) {
    d[s][s] = 0;
    const queue = [s];
    while (queue.length) {
      const a = queue.shift()!;
      for (let b = 0; b < k; b++) {
        if (d[s][b] === Infinity && [...sets[a]].some((i) => sets[b].has(i))) {
          d[s][b] = d[s][a] + 1;
          queue.push(b);
        }
      }
    }
  }
  return d;
}

export function meshgridScheme(): LocationScheme {
  const dist = regionDistances();
  const nMid = MIDLINE.length;
  const nSide = LEFT.length;
  return {
    name: 'meshgrid',
    count: MESHGRID_REGIONS.length,
    masks(lm, width, height) {
      const ext = extendLandmarks(lm);
      const masks = MESHGRID_REGIONS.map((r) => fillPolygon(r.map((i) => [ext[2 * i], ext[2 * i + 1]] as Point), width, height));
      return { masks, widened: masks.map(() => false) };
    },
    mirror: (loc) => (loc < nMid ? loc : loc < nMid + nSide ? loc + nSide : loc - nSide),
    distance: (a, b) => dist[a][b],
  };
}
