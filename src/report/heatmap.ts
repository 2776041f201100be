// A rows × cols grid of numbers as a small self-contained SVG heat map (each cell coloured on a
// shared scale and labelled with its value), for the per-location scores over the face grid.

export interface HeatmapOptions {
  title: string;
  /** colour scale bounds, shared between maps that are compared side by side */
  lo: number;
  hi: number;
  cell?: number;
}

// A perceptual ramp (viridis, 5 stops) interpolated in RGB.
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];

export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const f = x - i;
  const c = RAMP[i].map((a, k) => Math.round(a + f * (RAMP[i + 1][k] - a)));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Short label of a value: 3 significant digits. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e4 || a < 1e-3) ? v.toExponential(2) : Number(v.toPrecision(3)).toString();
}

export function heatmapSvg(values: readonly number[], rows: number, cols: number, o: HeatmapOptions): string {
  if (values.length !== rows * cols) throw new Error(`heatmap: ${values.length} values for a ${rows}×${cols} grid`);
  const cell = o.cell ?? Math.max(36, Math.min(64, Math.floor(256 / Math.max(rows, cols))));
  const top = 24;
  const legendH = 30;
  const w = cols * cell;
  const h = top + rows * cell + legendH;
  const span = o.hi - o.lo || 1;
  const parts: string[] = [`<text x="0" y="15" font-size="13" font-weight="bold">${escapeXml(o.title)}</text>`];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      const t = (v - o.lo) / span;
      const x = c * cell;
      const y = top + r * cell;
      parts.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${rampColor(t)}" stroke="#fff" stroke-width="1"><title>cell ${r * cols + c} (row ${r}, col ${c}): ${fmt(v)}</title></rect>`);
      parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" font-size="11" text-anchor="middle" fill="${t > 0.6 ? '#000' : '#fff'}">${escapeXml(fmt(v))}</text>`);
    }
  }
  const gy = top + rows * cell + 8;
  const stops = RAMP.map((_, i) => `<stop offset="${i / (RAMP.length - 1)}" stop-color="${rampColor(i / (RAMP.length - 1))}"/>`).join('');
  const gid = 'ramp'; // inlineSvg() prefixes ids per figure, so maps on one page do not clash
  parts.push(`<defs><linearGradient id="${gid}">${stops}</linearGradient></defs>`);
  parts.push(`<rect x="0" y="${gy}" width="${w}" height="8" fill="url(#${gid})"/>`);
  parts.push(`<text x="0" y="${gy + 20}" font-size="10">${escapeXml(fmt(o.lo))}</text>`);
  parts.push(`<text x="${w}" y="${gy + 20}" font-size="10" text-anchor="end">${escapeXml(fmt(o.hi))}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.max(w, 120)}" height="${h}" font-family="sans-serif" class="heatmap">${parts.join('')}</svg>`;
}

/** Mean per-location vector of the rows that have one; null when none has. */
export function meanVector(vectors: readonly (readonly number[] | null)[]): { mean: number[]; n: number } | null {
  const vs = vectors.filter((v): v is readonly number[] => v !== null && v.length > 0);
  if (!vs.length) return null;
  const mean = new Array(vs[0].length).fill(0);
  for (const v of vs) v.forEach((x, i) => (mean[i] += x / vs.length));
  return { mean, n: vs.length };
}
