// SSD MobileNet-V1 face detector weights: weights/ssd-mobilenet-v1.safetensors (tools/convert-face-api.ts)
// → host f32 arrays. The file keeps TF.js's uint8 codes; each tensor's scale and min are in the metadata
// "quantization" and expand as u8·scale + min in double, rounded to f32 (tfjs-core's decodeWeights, so
// the values are face-api's to the bit). Browser-safe: bytes in. Every expected name must be present
// with its shape, and nothing else.
import { parseSafetensors } from '../../io/safetensors.ts';

/** MobileNet-V1 pointwise output channels, conv0 … conv13. */
export const SSD_MOBILENET_CHANNELS = [32, 64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024];
/** Extra feature layers: [kernel, channels out]; the 3×3 ones have stride 2. */
export const SSD_PREDICTION_CONVS: readonly (readonly [number, number])[] = [[1, 256], [3, 512], [1, 128], [3, 256], [1, 128], [3, 256], [1, 64], [3, 128]];
/** Box predictors: input channels and anchors per cell (on conv11, conv13, prediction conv1/3/5/7). */
export const SSD_BOX_PREDICTORS: readonly { channels: number; anchors: number }[] = [
  { channels: 512, anchors: 3 }, { channels: 1024, anchors: 6 }, { channels: 512, anchors: 6 },
  { channels: 256, anchors: 6 }, { channels: 256, anchors: 6 }, { channels: 128, anchors: 6 },
];
/** Anchors at the 512² input: 32²·3 + (16² + 8² + 4² + 2² + 1²)·6. */
export const SSD_ANCHORS = 5118;

export function ssdExpectedShapes(): Map<string, number[]> {
  const m = new Map<string, number[]>([['anchors', [SSD_ANCHORS, 4]], ['mobilenet.conv0.weight', [32, 3, 3, 3]], ['mobilenet.conv0.bias', [32]]]);
  for (let i = 1; i < SSD_MOBILENET_CHANNELS.length; i++) {
    const cin = SSD_MOBILENET_CHANNELS[i - 1], cout = SSD_MOBILENET_CHANNELS[i];
    m.set(`mobilenet.conv${i}.depthwise.weight`, [cin, 1, 3, 3]);
    for (const p of ['weight', 'bias', 'running_mean', 'running_var']) m.set(`mobilenet.conv${i}.bn.${p}`, [cin]);
    m.set(`mobilenet.conv${i}.pointwise.weight`, [cout, cin, 1, 1]).set(`mobilenet.conv${i}.pointwise.bias`, [cout]);
  }
  let cin = 1024;
  SSD_PREDICTION_CONVS.forEach(([k, cout], i) => {
    m.set(`prediction.conv${i}.weight`, [cout, cin, k, k]).set(`prediction.conv${i}.bias`, [cout]);
    cin = cout;
  });
  SSD_BOX_PREDICTORS.forEach(({ channels, anchors }, i) => {
    m.set(`prediction.box${i}.encoding.weight`, [anchors * 4, channels, 1, 1]).set(`prediction.box${i}.encoding.bias`, [anchors * 4]);
    m.set(`prediction.box${i}.class.weight`, [anchors * 3, channels, 1, 1]).set(`prediction.box${i}.class.bias`, [anchors * 3]);
  });
  return m;
}

export interface HostTensor { shape: number[]; data: Float32Array }

/** Parse, check and dequantise. */
export function readSsdWeights(bytes: Uint8Array): Map<string, HostTensor> {
  const file = parseSafetensors(bytes, 'ssd-mobilenet-v1');
  const expected = ssdExpectedShapes();
  const quant = JSON.parse(file.metadata.quantization ?? '{}') as Record<string, { scale: number; min: number }>;
  const problems: string[] = [];
  for (const [name, shape] of expected) {
    const e = file.tensors.get(name);
    if (!e) problems.push(`missing ${name}`);
    else if (e.shape.join(',') !== shape.join(',')) problems.push(`${name} is [${e.shape}], expected [${shape}]`);
    else if (name === 'anchors' ? e.dtype !== 'F32' : e.dtype !== 'U8' || !quant[name]) problems.push(`${name}: ${e.dtype}${quant[name] ? '' : ' without quantization'}`);
  }
  for (const name of file.tensors.keys()) if (!expected.has(name)) problems.push(`unexpected ${name}`);
  if (problems.length) throw new Error(`ssd-mobilenet-v1: the weights do not fit: ${problems.join('; ')}`);
  const out = new Map<string, HostTensor>();
  for (const [name, e] of file.tensors) {
    const q = quant[name];
    const data = q ? Float32Array.from(e.data, (u) => u * q.scale + q.min) : Float32Array.from(e.data);
    out.set(name, { shape: e.shape, data });
  }
  return out;
}

/** face-api's batchNorm variance epsilon (f32 0.001) */
const BN_EPS = 0.0010000000474974513;

/**
 * The same weights with each depthwise conv's batch norm folded into it (y = (dw(x) − mean)·γ/√(var + ε)
 * + β, computed in double): `…depthwise.weight` scaled per channel, a new `…depthwise.bias`, no `.bn.`
 * entries. What both the detector and the MobileNet-V1 encoder (src/models/mobilenet) load.
 */
export function foldSsdBatchNorm(host: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const [name, t] of host) if (!name.includes('.bn.') && !name.endsWith('.depthwise.weight')) out.set(name, t);
  for (let i = 1; i < SSD_MOBILENET_CHANNELS.length; i++) {
    const p = `mobilenet.conv${i}`;
    const dw = host.get(`${p}.depthwise.weight`)!;
    const [g, b, mean, v] = ['weight', 'bias', 'running_mean', 'running_var'].map((k) => host.get(`${p}.bn.${k}`)!.data);
    const c = g.length;
    const scale = Float64Array.from(g, (gi, k) => gi / Math.sqrt(v[k] + BN_EPS));
    const per = dw.data.length / c;
    out.set(`${p}.depthwise.weight`, { shape: dw.shape, data: Float32Array.from(dw.data, (val, idx) => val * scale[Math.floor(idx / per)]) });
    out.set(`${p}.depthwise.bias`, { shape: [c], data: Float32Array.from({ length: c }, (_, k) => b[k] - mean[k] * scale[k]) });
  }
  return out;
}
