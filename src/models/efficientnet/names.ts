// Name maps between our EfficientNet state dict (timm's names, so timm maps by identity) and
// torchvision (`features.*`) or efficientnet_pytorch (`_conv_stem`, `_blocks.{i}.*`), both ways,
// built from the model layout so every block index and expansion case is exact. BatchNorm's
// num_batches_tracked has no counterpart here: it is skipped on import and never written.
import { efficientNetConfig, layoutOf, stateShapes, type BlockSpec, type EfficientNetConfig, type EfficientNetVariant } from './config.ts';

export const WEIGHT_SOURCES = ['timm', 'torchvision', 'efficientnet_pytorch'] as const;
export type WeightSource = (typeof WEIGHT_SOURCES)[number];

const tvStemHead: Record<string, string> = { conv_stem: 'features.0.0', bn1: 'features.0.1', conv_head: 'features.8.0', bn2: 'features.8.1', classifier: 'classifier.1' };
const epStemHead: Record<string, string> = { conv_stem: '_conv_stem', bn1: '_bn0', conv_head: '_conv_head', bn2: '_bn1', classifier: '_fc' };

/** Block member (timm) → torchvision's `block.{i}[.{j}|.fc{k}]`, for the two block kinds. */
const TV_DS: Record<string, string> = { conv_dw: '0.0', bn1: '0.1', 'se.conv_reduce': '1.fc1', 'se.conv_expand': '1.fc2', conv_pw: '2.0', bn2: '2.1' };
const TV_IR: Record<string, string> = {
  conv_pw: '0.0', bn1: '0.1', conv_dw: '1.0', bn2: '1.1', 'se.conv_reduce': '2.fc1', 'se.conv_expand': '2.fc2', conv_pwl: '3.0', bn3: '3.1',
};
const EP_DS: Record<string, string> = {
  conv_dw: '_depthwise_conv', bn1: '_bn1', 'se.conv_reduce': '_se_reduce', 'se.conv_expand': '_se_expand', conv_pw: '_project_conv', bn2: '_bn2',
};
const EP_IR: Record<string, string> = {
  conv_pw: '_expand_conv', bn1: '_bn0', conv_dw: '_depthwise_conv', bn2: '_bn1',
  'se.conv_reduce': '_se_reduce', 'se.conv_expand': '_se_expand', conv_pwl: '_project_conv', bn3: '_bn2',
};

function foreignModule(ours: string, source: WeightSource, blocks: Map<string, BlockSpec>): string {
  if (source === 'timm') return ours;
  const m = /^blocks\.(\d+)\.(\d+)\.(.+)$/.exec(ours);
  if (!m) {
    const t = (source === 'torchvision' ? tvStemHead : epStemHead)[ours];
    if (!t) throw new Error(`EfficientNet names: no ${source} name for module "${ours}"`);
    return t;
  }
  const spec = blocks.get(`${m[1]}.${m[2]}`);
  if (!spec) throw new Error(`EfficientNet names: no block ${m[1]}.${m[2]} in this layout`);
  const table = source === 'torchvision' ? (spec.expand === 1 ? TV_DS : TV_IR) : spec.expand === 1 ? EP_DS : EP_IR;
  const member = table[m[3]];
  if (!member) throw new Error(`EfficientNet names: no ${source} name for "${ours}"`);
  return source === 'torchvision' ? `features.${spec.stage + 1}.${spec.index}.block.${member}` : `_blocks.${spec.flat}.${member}`;
}

/** Our name → the source's name, for every tensor of the model the config describes. */
export function nameTable(source: WeightSource, cfg: EfficientNetConfig): Map<string, string> {
  const blocks = new Map(layoutOf(cfg).stages.flat().map((b) => [`${b.stage}.${b.index}`, b] as const));
  const out = new Map<string, string>();
  for (const ours of stateShapes(cfg).keys()) {
    const dot = ours.lastIndexOf('.');
    out.set(ours, `${foreignModule(ours.slice(0, dot), source, blocks)}${ours.slice(dot)}`);
  }
  return out;
}

export const isBatchCounter = (name: string) => name.endsWith('.num_batches_tracked');

export interface HostTensor {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

export interface ConversionReport {
  /** tensors of the input that map to nothing in the model */
  unmatched: string[];
  /** tensors the model needs that the input lacks (our names) */
  missing: string[];
  /** present under the mapped name but with another shape, or not floating point */
  misshaped: { name: string; source: string; expected: number[]; got: readonly number[]; why?: string }[];
  /** BatchNorm batch counters, dropped on purpose */
  skipped: string[];
}

export const reportOk = (r: ConversionReport) => !r.unmatched.length && !r.missing.length && !r.misshaped.length;

/** Rename a state dict from `from` naming to `to` naming for the model `cfg` describes. */
export function convertState(
  input: ReadonlyMap<string, HostTensor>, from: WeightSource, to: WeightSource, cfg: EfficientNetConfig,
): { tensors: Map<string, HostTensor>; report: ConversionReport } {
  const fromNames = nameTable(from, cfg);
  const toNames = nameTable(to, cfg);
  const shapes = stateShapes(cfg);
  const byForeign = new Map([...fromNames].map(([ours, f]) => [f, ours] as const));
  const report: ConversionReport = { unmatched: [], missing: [], misshaped: [], skipped: [] };
  const tensors = new Map<string, HostTensor>();
  const seen = new Set<string>();
  for (const [name, t] of input) {
    if (isBatchCounter(name)) {
      report.skipped.push(name);
      continue;
    }
    const ours = byForeign.get(name);
    if (!ours) {
      report.unmatched.push(name);
      continue;
    }
    seen.add(ours);
    const expected = shapes.get(ours)!;
    const sameShape = expected.length === t.shape.length && expected.every((d, i) => d === t.shape[i]);
    if (!sameShape || !(t.data instanceof Float32Array)) {
      report.misshaped.push({ name: ours, source: name, expected, got: t.shape, why: sameShape ? 'integer data where floats are expected' : undefined });
      continue;
    }
    tensors.set(toNames.get(ours)!, t);
  }
  for (const ours of shapes.keys()) if (!seen.has(ours)) report.missing.push(ours);
  return { tensors, report };
}

const CLASSIFIER_WEIGHT: Record<WeightSource, string> = { timm: 'classifier.weight', torchvision: 'classifier.1.weight', efficientnet_pytorch: '_fc.weight' };

/** Classes of the classifier a state dict in `from` naming carries (0 = none). */
export function classifierCount(input: ReadonlyMap<string, HostTensor>, from: WeightSource): number {
  return input.get(CLASSIFIER_WEIGHT[from])?.shape[0] ?? 0;
}

/** Which variant (and classifier size) a state dict in `from` naming is: the one whose names and shapes all match. */
export function detectVariant(input: ReadonlyMap<string, HostTensor>, from: WeightSource): { variant: EfficientNetVariant; numClasses: number } | null {
  const numClasses = classifierCount(input, from);
  for (const variant of ['b0', 'b1', 'b2', 'b3', 'b4'] as const) {
    const { report } = convertState(input, from, 'timm', efficientNetConfig(variant, { numClasses }));
    if (reportOk(report)) return { variant, numClasses };
  }
  return null;
}

export function formatReport(r: ConversionReport, limit = 20): string {
  const lines: string[] = [];
  const list = (title: string, xs: string[]) => {
    if (!xs.length) return;
    lines.push(`${title} (${xs.length}):`);
    for (const x of xs.slice(0, limit)) lines.push(`  ${x}`);
    if (xs.length > limit) lines.push(`  … and ${xs.length - limit} more`);
  };
  list('unmatched input tensors', r.unmatched);
  list('missing model tensors', r.missing);
  list('mis-shaped tensors', r.misshaped.map((m) => `${m.source} → ${m.name}: [${m.got.join(', ')}], expected [${m.expected.join(', ')}]${m.why ? ` (${m.why})` : ''}`));
  if (r.skipped.length) lines.push(`skipped ${r.skipped.length} num_batches_tracked counters`);
  return lines.join('\n');
}
