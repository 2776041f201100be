// One self-contained HTML page per run: inline CSS, inline SVG charts, the gallery as a data URI,
// no script and no external asset, so the file can be mailed or opened offline as it is.
import { escapeXml as esc } from './heatmap.ts';
import type { RunData } from './run-data.ts';
import {
  configSection, evalSection, gallerySection, heatmapSection, profileSection, summaryCards, trainingSection,
} from './sections.ts';

export type GalleryPart = { png: Uint8Array; caption: string } | { error: string } | null;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1d232a;background:#f5f6f8;margin:0}
main{max-width:1180px;margin:0 auto;padding:18px 24px 40px}
h1{font-size:22px;margin:4px 0 2px}h2{font-size:18px;margin:0 0 10px;border-bottom:1px solid #dde1e6;padding-bottom:4px}
h3{font-size:14px;margin:12px 0 4px}
section{background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:14px 18px;margin:14px 0}
.sub{color:#5b6570;margin:0 0 8px}.src{color:#5b6570;font-size:12px;margin:0 0 6px}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:6px 10px;margin:6px 0;color:#4a3d00}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px 14px;min-width:120px}
.card .k{color:#5b6570;font-size:12px}.card .v{font-size:20px;font-weight:600}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(400px,1fr));gap:18px;align-items:start}
.figure{overflow-x:auto}.figure svg{max-width:100%;height:auto}
table.kv.cols{display:block;columns:3 260px;column-gap:28px}table.kv.cols tbody{display:block}table.kv.cols tr{display:flex;break-inside:avoid}table.kv.cols td{flex:1}table.kv.cols td:first-child{flex:0 0 130px}
table{border-collapse:collapse;margin:6px 0;font-size:13px}
td,th{border-bottom:1px solid #eceef1;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
table.kv td:first-child{color:#5b6570;white-space:nowrap}
table.num td:not(:first-child),table.num th:not(:first-child){text-align:right;font-variant-numeric:tabular-nums}
table.num td:first-child{font-family:ui-monospace,monospace;font-size:12px}
pre{background:#f3f4f6;padding:8px 10px;border-radius:4px;overflow-x:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}
img.gallery{max-width:100%;image-rendering:pixelated;border:1px solid #ccc}
nav a{margin-right:12px;color:#2563eb;text-decoration:none}
`;

const NAV: [string, string][] = [
  ['config', 'configuration'], ['training', 'training'], ['evaluation', 'evaluation'],
  ['locations', 'per-location'], ['gallery', 'discrepancies'], ['profile', 'kernel profile'],
];

export async function renderReportHtml(run: RunData, opts: { gallery: GalleryPart; generatedAt?: string }): Promise<string> {
  const title = `SeeABLE run report — ${run.dir}`;
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="sub">generated ${esc(opts.generatedAt ?? new Date().toISOString())} by <code>seeable report</code></p>`,
    `<nav>${NAV.map(([id, t]) => `<a href="#${id}">${t}</a>`).join('')}</nav>`,
    summaryCards(run),
    configSection(run),
    await trainingSection(run),
    await evalSection(run),
    heatmapSection(run),
    gallerySection(opts.gallery),
    profileSection(run),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>
${body}
</main></body></html>
`;
}
