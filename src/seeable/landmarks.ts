// 68-point face landmarks (iBUG 300-W / dlib order) as a flat [x0, y0, x1, y1, …] array in pixels
// of the image they belong to (origin top-left, x right, y down).

export type Landmarks = Float64Array;

/**
 * Left↔right permutation of the 68 iBUG points (0-based): point i of a mirrored face is point
 * FLIP_68[i] of the original. Jaw 0↔16 …, brows 17↔26 …, nose wings 31↔35, eyes 36↔45, 37↔44,
 * 38↔43, 39↔42, 40↔47, 41↔46, mouth 48↔54 …, inner lip 60↔64, 61↔63, 65↔67; midline points fixed.
 */
export const FLIP_68: readonly number[] = (() => {
  const pairs: [number, number][] = [];
  for (let i = 0; i < 8; i++) pairs.push([i, 16 - i]); // jaw
  for (let i = 0; i < 5; i++) pairs.push([17 + i, 26 - i]); // brows
  pairs.push([31, 35], [32, 34]); // nose base
  pairs.push([36, 45], [37, 44], [38, 43], [39, 42], [40, 47], [41, 46]); // eyes
  pairs.push([48, 54], [49, 53], [50, 52], [55, 59], [56, 58]); // outer lip
  pairs.push([60, 64], [61, 63], [65, 67]); // inner lip
  const p = Array.from({ length: 68 }, (_, i) => i);
  for (const [a, b] of pairs) (p[a] = b), (p[b] = a);
  return p;
})();

/** Parse one landmarks.json value: exactly 68 [x, y] pairs of finite numbers. */
export function parseLandmarks68(raw: unknown): Landmarks {
  if (!Array.isArray(raw)) throw new Error(`expected an array of 68 [x, y] pairs, got ${typeof raw}`);
  if (raw.length !== 68) throw new Error(`expected 68 points, got ${raw.length}`);
  const out = new Float64Array(136);
  raw.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new Error(`point ${i} is not an [x, y] pair`);
    const [x, y] = p;
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new Error(`point ${i} has a non-finite or non-numeric coordinate (${JSON.stringify(p)})`);
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  });
  return out;
}

/** Landmarks of the horizontally mirrored image of width `width` (pixel x ↦ width − 1 − x). */
export function flipLandmarks(lm: Landmarks, width: number): Landmarks {
  const out = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    const j = FLIP_68[i];
    out[2 * i] = width - 1 - lm[2 * j];
    out[2 * i + 1] = lm[2 * j + 1];
  }
  return out;
}

export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Bounding box of the points (real-valued). */
export function landmarkBox(lm: Landmarks): Box {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < lm.length; i += 2) {
    x0 = Math.min(x0, lm[i]);
    x1 = Math.max(x1, lm[i]);
    y0 = Math.min(y0, lm[i + 1]);
    y1 = Math.max(y1, lm[i + 1]);
  }
  return { x0, y0, x1, y1 };
}

/** Map points by x' = (x − ox)·sx, y' = (y − oy)·sy (crop then resize). */
export function mapLandmarks(lm: Landmarks, ox: number, oy: number, sx: number, sy: number): Landmarks {
  const out = new Float64Array(lm.length);
  for (let i = 0; i < lm.length; i += 2) {
    out[i] = (lm[i] - ox) * sx;
    out[i + 1] = (lm[i + 1] - oy) * sy;
  }
  return out;
}
