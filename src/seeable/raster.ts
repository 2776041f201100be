// Polygon rasterisation on the CPU for location masks: convex hull (monotone chain) and a filled
// convex polygon. Pixels have integer coordinates, in the same frame as the landmarks.

export type Point = [number, number];

/** Convex hull, counter-clockwise in a y-down frame, without collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length < 3) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/**
 * Fill a convex polygon into a width×height 0/1 mask, boundary included, as a rasteriser that also
 * draws the outline does: row y gets the x-extent of the polygon within the slab [y − ½, y + ½],
 * rounded to pixels, so even a sliver such as the nose ridge or a thin horizontal line gets pixels.
 */
export function fillConvex(poly: readonly Point[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  if (poly.length === 0) return mask;
  let ymin = Infinity, ymax = -Infinity;
  for (const [, y] of poly) (ymin = Math.min(ymin, y)), (ymax = Math.max(ymax, y));
  for (let y = Math.max(0, Math.round(ymin)); y <= Math.min(height - 1, Math.round(ymax)); y++) {
    const lo = Math.max(ymin, y - 0.5);
    const hi = Math.min(ymax, y + 0.5);
    let x0 = Infinity, x1 = -Infinity;
    const take = (x: number) => ((x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)));
    for (let i = 0; i < poly.length; i++) {
      const [ax, ay] = poly[i];
      const [bx, by] = poly[(i + 1) % poly.length];
      if (ay >= lo && ay <= hi) take(ax);
      for (const yc of [lo, hi]) {
        if (by !== ay && yc >= Math.min(ay, by) && yc <= Math.max(ay, by)) take(ax + ((yc - ay) * (bx - ax)) / (by - ay));
      }
    }
    if (x0 > x1) continue;
    const xa = Math.max(0, Math.round(x0));
    const xb = Math.min(width - 1, Math.round(x1));
    for (let x = xa; x <= xb; x++) mask[y * width + x] = 1;
  }
  return mask;
}

/** The polygon scaled by `factor` about its vertex centroid. */
export function scalePolygon(poly: readonly Point[], factor: number): Point[] {
  let cx = 0, cy = 0;
  for (const [x, y] of poly) (cx += x), (cy += y);
  cx /= poly.length;
  cy /= poly.length;
  return poly.map(([x, y]) => [cx + (x - cx) * factor, cy + (y - cy) * factor]);
}

export function maskArea(mask: Uint8Array | Float32Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i] > 0 ? 1 : 0;
  return n;
}

/**
 * Fill any simple polygon (convex or not): even-odd spans at each row's centre line, plus the
 * outline drawn by sampling every edge at ≤ ½-pixel steps, so the boundary is included as in
 * fillConvex.
 */
export function fillPolygon(poly: readonly Point[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const n = poly.length;
  const put = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < width && y < height) mask[y * width + x] = 1;
  };
  for (let y = 0; y < height; y++) {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const [ax, ay] = poly[i];
      const [bx, by] = poly[(i + 1) % n];
      // half-open in y so a vertex on the line is counted once
      if ((ay <= y && by > y) || (by <= y && ay > y)) xs.push(ax + ((y - ay) * (bx - ax)) / (by - ay));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.ceil(xs[k])); x <= Math.min(width - 1, Math.floor(xs[k + 1])); x++) put(x, y);
    }
  }
  for (let i = 0; i < n; i++) {
    const [ax, ay] = poly[i];
    const [bx, by] = poly[(i + 1) % n];
    const steps = Math.max(1, Math.ceil(2 * Math.max(Math.abs(bx - ax), Math.abs(by - ay))));
    for (let s = 0; s <= steps; s++) put(Math.round(ax + ((bx - ax) * s) / steps), Math.round(ay + ((by - ay) * s) / steps));
  }
  return mask;
}
