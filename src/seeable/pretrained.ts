// Pretrained encoder weights for a fresh SeeABLE run (config `pretrained`): the spec's recipe starts
// from ImageNet weights (§6). Browser-safe: bytes in; the trainer reads the file.
//   EfficientNet — a safetensors file from `seeable convert` (or timm / torchvision / efficientnet_pytorch
//                  names as they are); the ImageNet classifier, if present, is ignored.
//   MobileNet-V1 — face-api's SSD face-detector weights (weights/ssd-mobilenet-v1.safetensors): the
//                  backbone only, batch norm folded into the depthwise convs.
import { EfficientNet } from '../models/efficientnet/model.ts';
import { writeState } from '../models/efficientnet/load.ts';
import { classifierCount, convertState, formatReport, reportOk, WEIGHT_SOURCES, type HostTensor, type WeightSource } from '../models/efficientnet/names.ts';
import { foldSsdBatchNorm, readSsdWeights } from '../models/face/ssd-weights.ts';
import { MobileNetV1Encoder } from '../models/mobilenet/mobilenet-v1.ts';
import { parseSafetensors } from '../io/safetensors.ts';
import type { Encoder } from './model.ts';

/** Write pretrained weights into the encoder; returns a one-line description. Errors name `source`. */
export function loadPretrainedEncoder(encoder: Encoder, bytes: Uint8Array, source: string): string {
  if (encoder instanceof MobileNetV1Encoder) {
    let host: Map<string, HostTensor>;
    try {
      host = foldSsdBatchNorm(readSsdWeights(bytes));
    } catch (e) {
      throw new Error(`${source}: not face-api's SSD MobileNet-V1 weights (${(e as Error).message})`);
    }
    const backbone = new Map([...host].filter(([n]) => n.startsWith('mobilenet.')).map(([n, t]) => [n.slice('mobilenet.'.length), t] as const));
    writeState(encoder, backbone);
    return `${source}: MobileNet-V1 backbone of face-api's SSD face detector (${backbone.size} tensors, BN folded)`;
  }
  if (encoder instanceof EfficientNet) {
    const file = parseSafetensors(bytes, source);
    const state = new Map<string, HostTensor>([...file.tensors].map(([n, e]) => [n, { shape: e.shape, data: Float32Array.from(e.data as ArrayLike<number>) }]));
    const named = file.metadata.naming;
    const candidates = (named && (WEIGHT_SOURCES as readonly string[]).includes(named) ? [named] : WEIGHT_SOURCES) as WeightSource[];
    // each naming with the file's own classifier, which the encoder (numClasses 0) then leaves out
    const tries = candidates.map((from) => ({ from, ...convertState(state, from, 'timm', { ...encoder.config, numClasses: classifierCount(state, from) }) }));
    const best = tries.find((t) => reportOk(t.report));
    if (!best) {
      const closest = tries.reduce((a, b) => (b.report.missing.length < a.report.missing.length ? b : a));
      throw new Error(`${source}: the weights do not fit EfficientNet-${encoder.config.variant.toUpperCase()} (closest naming: ${closest.from}):\n${formatReport(closest.report)}`);
    }
    writeState(encoder, best.tensors);
    const ignored = [...best.tensors.keys()].filter((n) => n.startsWith('classifier.')).length;
    return `${source}: EfficientNet-${encoder.config.variant.toUpperCase()} weights (${best.from} names, ${ignored} classifier tensors ignored)`;
  }
  throw new Error(`${source}: no pretrained-weight loader for this encoder`);
}
