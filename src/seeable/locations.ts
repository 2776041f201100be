// Location schemes (method spec §3.1): which part of the face a soft discrepancy alters. The default
// is the R×C grid over the landmark box intersected with the filled convex hull of the 68 points.
// Each scheme also gives the left-right mirror of a location and a graph distance between
// locations, which the guidance loss G of section S uses.
import { landmarkBox, type Landmarks } from './landmarks.ts';
import { meshgridScheme } from './meshgrid.ts';
import { convexHull, fillConvex, maskArea, scalePolygon, type Point } from './raster.ts';

export interface LocationMasks {
  /** one 0/1 mask of width×height per location */
  masks: Uint8Array[];
  /** true where the location fell back to a widened region because it was (nearly) empty */
  widened: boolean[];
}

export interface LocationScheme {
  readonly name: string;
  readonly count: number;
  masks(lm: Landmarks, width: number, height: number): LocationMasks;
  /** the left-right mirrored location (an involution) */
  mirror(loc: number): number;
  /** graph distance between locations: 0 iff equal, symmetric, triangle inequality */
  distance(a: number, b: number): number;
}

/** Below this fraction of the hull's area a location is widened (§3.1 [OURS]). */
export const TINY_FRACTION = 0.005;
/** The widened region: the cell ∩ the hull scaled ×1.15 about its centroid. */
export const WIDEN_HULL = 1.15;

function points(lm: Landmarks, idx?: readonly number[]): Point[] {
  const ids = idx ?? Array.from({ length: lm.length / 2 }, (_, i) => i);
  return ids.map((i) => [lm[2 * i], lm[2 * i + 1]]);
}

export function hullMask(lm: Landmarks, width: number, height: number, idx?: readonly number[], scale = 1): Uint8Array {
  const hull = convexHull(points(lm, idx));
  return fillConvex(scale === 1 ? hull : scalePolygon(hull, scale), width, height);
}

/**
 * Grid cells ∩ hull, before the tiny-cell rule. Cell (r, c) is the half-open rectangle
 * [x0 + c·dx, x0 + (c+1)·dx) × [y0 + r·dy, …) with x0 = floor(xmin), dx = ceil((xmax − xmin)/C),
 * the last row/column extended to the box edge, so the cells partition the hull exactly.
 * Index = r·C + c, row-major from the image's top-left.
 */
export function gridCellIndex(lm: Landmarks, rows: number, cols: number) {
  const b = landmarkBox(lm);
  const x0 = Math.floor(b.x0);
  const y0 = Math.floor(b.y0);
  const dx = Math.max(1, Math.ceil((b.x1 - b.x0) / cols));
  const dy = Math.max(1, Math.ceil((b.y1 - b.y0) / rows));
  return (x: number, y: number): number => {
    const c = Math.min(cols - 1, Math.max(0, Math.floor((x - x0) / dx)));
    const r = Math.min(rows - 1, Math.max(0, Math.floor((y - y0) / dy)));
    return r * cols + c;
  };
}

function splitByCell(region: Uint8Array, width: number, cellOf: (x: number, y: number) => number, k: number): Uint8Array[] {
  const out = Array.from({ length: k }, () => new Uint8Array(region.length));
  for (let i = 0; i < region.length; i++) {
    if (region[i]) out[cellOf(i % width, Math.floor(i / width))][i] = 1;
  }
  return out;
}

export function gridScheme(rows = 4, cols = 4): LocationScheme {
  return {
    name: `grid${rows}x${cols}`,
    count: rows * cols,
    masks(lm, width, height) {
      const hull = hullMask(lm, width, height);
      const cellOf = gridCellIndex(lm, rows, cols);
      const cells = splitByCell(hull, width, cellOf, rows * cols);
      const limit = TINY_FRACTION * maskArea(hull);
      const widened = cells.map((m) => maskArea(m) < limit);
      if (widened.some(Boolean)) {
        const wide = splitByCell(hullMask(lm, width, height, undefined, WIDEN_HULL), width, cellOf, rows * cols);
        wide.forEach((m, k) => {
          if (widened[k]) cells[k] = maskArea(m) > 0 ? m : cellRectangle(cellOf, k, width, height);
        });
      }
      return { masks: cells, widened };
    },
    mirror: (loc) => Math.floor(loc / cols) * cols + (cols - 1 - (loc % cols)),
    // 4-neighbour grid graph: Manhattan distance between cells.
    distance: (a, b) => Math.abs(Math.floor(a / cols) - Math.floor(b / cols)) + Math.abs((a % cols) - (b % cols)),
  };
}

/** Last resort for a cell that misses even the widened hull: its rectangle, clipped to the image. */
function cellRectangle(cellOf: (x: number, y: number) => number, k: number, width: number, height: number): Uint8Array {
  const m = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (cellOf(x, y) === k) m[y * width + x] = 1;
  return m;
}

/** Schemes made of convex hulls of landmark subsets (0-based indices), §3.1 items 3, 4, 7. */
function hullScheme(name: string, parts: readonly (readonly number[])[], mirrorOf: readonly number[]): LocationScheme {
  return {
    name,
    count: parts.length,
    masks: (lm, width, height) => {
      const masks = parts.map((idx) => hullMask(lm, width, height, idx));
      const widened = masks.map(() => false);
      return { masks, widened };
    },
    mirror: (loc) => mirrorOf[loc],
    // These regions have no grid: every distinct pair is one step apart.
    distance: (a, b) => (a === b ? 0 : 1),
  };
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const wholeScheme = (): LocationScheme => hullScheme('whole', [range(0, 67)], [0]);

export const dflScheme = (): LocationScheme =>
  hullScheme('dfl', [[...range(0, 16), ...range(48, 67)], [...range(17, 26), 0, 27, 16, 33], [...range(27, 30), 33]], [0, 1, 2]);

export const componentsScheme = (): LocationScheme =>
  hullScheme(
    'components',
    [
      [...range(0, 8), 17], [...range(8, 16), 26], // right / left jaw
      [17, 18, 19, 8], [24, 25, 26, 8], // right / left cheek
      [...range(19, 24), 8], // nose ridge
      [...range(17, 21), 27, ...range(31, 35), 8], [...range(22, 26), 27, ...range(31, 35), 8], // eyes
      [...range(27, 30), ...range(31, 35)], // nose
    ],
    [1, 0, 3, 2, 4, 6, 5, 7],
  );

/** Parse a scheme name: "grid" (4×4), "grid2x3", "meshgrid", "whole", "dfl", "components". */
export function locationScheme(spec = 'grid'): LocationScheme {
  const g = /^grid(?:(\d+)x(\d+))?$/.exec(spec);
  if (g) return gridScheme(g[1] ? Number(g[1]) : 4, g[2] ? Number(g[2]) : 4);
  if (spec === 'whole') return wholeScheme();
  if (spec === 'dfl') return dflScheme();
  if (spec === 'components') return componentsScheme();
  if (spec === 'meshgrid') return meshgridScheme();
  throw new Error(`Unknown location scheme "${spec}" (grid, gridRxC, meshgrid, whole, dfl, components)`);
}
