// What the face overlay (shaders/face-overlay.wgsl) draws for one scored face, in image pixels:
// the scoring grid mapped back from the model crop, the face hull, the landmarks, and the values
// (per-location anomaly, on the score's own scale) with the ramp's ends centred on the threshold.
// Platform-free: the demo page and the Node render test build the same geometry.
import { cropBox, landmarksInCrop } from '../seeable/crop.ts';
import { landmarkBox, type Landmarks } from '../seeable/landmarks.ts';
import { convexHull, type Point } from '../seeable/raster.ts';

export interface OverlayFace {
  /** detection box x0, y0, x1, y1 (image px); the landmark box when there was no detection */
  box: [number, number, number, number];
  /** grid origin and cell size (image px) and the landmark box's far corner */
  grid: { x0: number; y0: number; dx: number; dy: number; x1: number; y1: number; rows: number; cols: number };
  /** convex hull of the 68 points (raster.ts convexHull: positively oriented in x, y) */
  hull: Point[];
  landmarks: Landmarks;
  /** per-location anomaly (−a_l averaged over types; the face's score is their mean), row-major */
  cells: number[];
  /** ramp ends: lo → blue, the middle (the threshold) → white, hi → red */
  lo: number;
  hi: number;
  fake: boolean | null;
}

/**
 * The scoring grid (src/seeable/locations.ts gridCellIndex) lives in the model crop's frame; the crop
 * is an axis-aligned affine map of the image (x_c = (x − box.x0 + ½)·s − ½), so the cells map back to
 * a grid in image pixels with origin and steps divided by the scale.
 */
export function imageGrid(lm: Landmarks, width: number, height: number, size: number, rows: number, cols: number): OverlayFace['grid'] {
  const crop = cropBox(lm, width, height, 'test');
  const sx = size / (crop.x1 - crop.x0);
  const sy = size / (crop.y1 - crop.y0);
  const b = landmarkBox(landmarksInCrop(lm, crop, size));
  const x0c = Math.floor(b.x0), y0c = Math.floor(b.y0);
  const dxc = Math.max(1, Math.ceil((b.x1 - b.x0) / cols)), dyc = Math.max(1, Math.ceil((b.y1 - b.y0) / rows));
  const ib = landmarkBox(lm);
  return {
    x0: crop.x0 + (x0c + 0.5) / sx - 0.5, y0: crop.y0 + (y0c + 0.5) / sy - 0.5,
    dx: dxc / sx, dy: dyc / sy, x1: ib.x1, y1: ib.y1, rows, cols,
  };
}

export function overlayFace(o: {
  lm: Landmarks; box: [number, number, number, number] | null; perLocation: readonly number[]; score: number;
  threshold: number | null; width: number; height: number; size: number; rows: number; cols: number;
}): OverlayFace {
  const cells = o.perLocation.map((a) => -a);
  const centre = o.threshold ?? o.score;
  const span = Math.max(1e-6, ...cells.map((v) => Math.abs(v - centre)));
  const pts: Point[] = [];
  for (let i = 0; i < o.lm.length; i += 2) pts.push([o.lm[i], o.lm[i + 1]]);
  const lb = landmarkBox(o.lm);
  return {
    box: o.box ?? [lb.x0, lb.y0, lb.x1, lb.y1],
    grid: imageGrid(o.lm, o.width, o.height, o.size, o.rows, o.cols),
    hull: convexHull(pts),
    landmarks: o.lm,
    cells,
    lo: centre - span,
    hi: centre + span,
    fake: o.threshold === null ? null : o.score > o.threshold,
  };
}
