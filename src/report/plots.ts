// Plots as SVG through Vega-Lite (renders headless in Node; the report embeds the SVG, the CLI
// converts it to PNG with sharp). One function per chart kind.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { RocPoint } from '../seeable/metrics.ts';

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const AXIS = { labelFontSize: 11, titleFontSize: 12 };

/** ROC curves (several labelled curves allowed) with the chance diagonal; `marks` labels
 * operating points (e.g. the equal-error point). */
export function rocSpec(
  curves: { label: string; points: RocPoint[]; auc: number }[], title = 'ROC',
  marks: { fpr: number; tpr: number; label: string }[] = [],
): TopLevelSpec {
  const markLayers = marks.length
    ? [
        { data: { values: marks }, mark: { type: 'point', filled: true, size: 60, color: '#d62728' }, encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } } },
        { data: { values: marks }, mark: { type: 'text', align: 'left', dx: 7, dy: 10, fontSize: 11, color: '#d62728' }, encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' }, text: { field: 'label' } } },
      ]
    : [];
  const values = curves.flatMap((c) => c.points.map((p) => ({ fpr: p.fpr, tpr: p.tpr, curve: `${c.label} (AUC ${c.auc.toFixed(3)})` })));
  return {
    title,
    width: 320,
    height: 320,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate (reals called fake)', scale: { domain: [0, 1] }, axis: AXIS },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate (fakes caught)', scale: { domain: [0, 1] }, axis: AXIS },
          color: { field: 'curve', type: 'nominal', legend: { orient: 'bottom-right', title: null } },
          order: { field: 'fpr', type: 'quantitative' },
        },
      },
      ...markLayers,
    ],
  } as TopLevelSpec;
}

/** Overlaid score histograms of the classes. */
export function histogramSpec(groups: Record<string, readonly number[]>, title = 'Scores', bins = 30): TopLevelSpec {
  const values = Object.entries(groups).flatMap(([g, xs]) => xs.map((s) => ({ score: s, group: g })));
  return {
    title,
    width: 360,
    height: 200,
    data: { values },
    mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
    encoding: {
      x: { field: 'score', bin: { maxbins: bins }, type: 'quantitative', title: 'anomaly score (higher = more fake)', axis: AXIS },
      y: { aggregate: 'count', type: 'quantitative', stack: null, title: 'faces', axis: { ...AXIS, format: 'd', tickMinStep: 1 } }, // whole faces
      color: { field: 'group', type: 'nominal', legend: { title: null } },
    },
  } as TopLevelSpec;
}

/** Line chart of named series over steps (loss, validation AUC); `yDomain` fixes the value axis
 * (e.g. [0, 1] for an AUC, which otherwise collapses to one tick when all points are equal). */
export function seriesSpec(
  rows: readonly { step: number; value: number; series: string }[], title: string, yTitle: string,
  opts: { yDomain?: [number, number]; legend?: boolean } = {},
): TopLevelSpec {
  return {
    title,
    width: 360,
    height: 200,
    data: { values: rows as { step: number; value: number; series: string }[] },
    mark: { type: 'line', point: rows.length < 40 },
    encoding: {
      x: { field: 'step', type: 'quantitative', axis: { ...AXIS, format: 'd', tickMinStep: 1 } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: opts.yDomain ? { domain: opts.yDomain } : { zero: false }, axis: AXIS },
      color: { field: 'series', type: 'nominal', legend: opts.legend === false ? null : { title: null } },
    },
  } as TopLevelSpec;
}
