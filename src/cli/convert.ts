// `seeable convert`: rename an EfficientNet state dict between timm (our own names), torchvision
// and efficientnet_pytorch namings, checking every tensor against the model's layout. Any
// unmatched, missing or mis-shaped tensor is reported and the command exits non-zero without
// writing. BatchNorm num_batches_tracked counters are skipped (we neither use nor write them).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { writeFileAtomic } from '../io/atomic.ts';
import { parseSafetensors, serializeSafetensors } from '../io/safetensors.ts';
import {
  classifierCount, COEFFICIENTS, convertState, efficientNetConfig, formatReport, reportOk, WEIGHT_SOURCES,
  type ConversionReport, type EfficientNetVariant, type HostTensor, type WeightSource,
} from '../models/efficientnet/index.ts';

export interface ConvertOptions {
  from: WeightSource;
  to: WeightSource;
  model?: EfficientNetVariant;
}

export interface ConvertResult {
  variant: EfficientNetVariant;
  numClasses: number;
  written: number;
  report: ConversionReport;
}

const problems = (r: ConversionReport) => r.unmatched.length + r.missing.length + r.misshaped.length;

/** Convert IN to OUT; throws (with the report) on any mismatch, writing nothing. */
export function convertFile(input: string, output: string, o: ConvertOptions, log: (s: string) => void = console.log): ConvertResult {
  const file = parseSafetensors(readFileSync(input), input);
  const state = new Map<string, HostTensor>([...file.tensors].map(([k, v]) => [k, { shape: v.shape, data: v.data }]));
  const numClasses = classifierCount(state, o.from);
  const candidates = (o.model ? [o.model] : (Object.keys(COEFFICIENTS) as EfficientNetVariant[])).map((variant) => {
    const cfg = efficientNetConfig(variant, { numClasses });
    return { variant, ...convertState(state, o.from, o.to, cfg) };
  });
  const best = candidates.reduce((a, b) => (problems(b.report) < problems(a.report) ? b : a));
  if (!reportOk(best.report)) {
    const which = o.model ? `EfficientNet-${best.variant.toUpperCase()}` : `any EfficientNet B0–B4 (closest: ${best.variant.toUpperCase()})`;
    throw new Error(`${input}: the ${o.from} tensors do not fit ${which}:\n${formatReport(best.report)}`);
  }
  const metadata: Record<string, string> = {
    format: 'seeable-efficientnet', naming: o.to, variant: best.variant, num_classes: String(numClasses), converted_from: o.from,
  };
  if (o.from === 'efficientnet_pytorch') metadata.padding = 'same';
  if (o.from === 'torchvision') metadata.padding = 'symmetric';
  writeFileAtomic(output, serializeSafetensors(best.tensors, metadata));
  log(
    `${input} (${o.from}) → ${output} (${o.to}): EfficientNet-${best.variant.toUpperCase()}` +
      `${numClasses ? ` with a ${numClasses}-class classifier` : ', features only'}, ${best.tensors.size} tensors` +
      `${best.report.skipped.length ? `, ${best.report.skipped.length} num_batches_tracked counters skipped` : ''}`,
  );
  if (o.from === 'timm') log('note: timm tf_* checkpoints need TF-SAME padding (EfficientNet option padding: "same")');
  return { variant: best.variant, numClasses, written: best.tensors.size, report: best.report };
}

export function convertCommand(): Command {
  return new Command('convert')
    .description('convert EfficientNet weights between timm, torchvision and efficientnet_pytorch names (safetensors)')
    .addOption(new Option('--from <naming>', 'naming of the input').choices([...WEIGHT_SOURCES]).makeOptionMandatory())
    .addOption(new Option('--to <naming>', 'naming of the output (timm = ours)').choices([...WEIGHT_SOURCES]).default('timm'))
    .addOption(new Option('--model <variant>', 'b0 … b4 (default: detected from the shapes)').choices(Object.keys(COEFFICIENTS)))
    .argument('<in>', 'input .safetensors')
    .argument('<out>', 'output .safetensors')
    .action((input: string, output: string, o: ConvertOptions) => {
      convertFile(input, output, o);
    });
}

export function registerConvert(program: Command): void {
  program.addCommand(convertCommand());
}
