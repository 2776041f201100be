// The face-api peer on TensorFlow.js WebGPU: @vladmandic/face-api's "nobundle" ESM build imports
// `@tensorflow/tfjs/dist/index.js` (+ the WebGL and WASM backends), none of which this project installs.
// A module resolve hook points that import at the @tensorflow/tfjs-core instance the WebGPU backend was
// registered on (bench/lib/tfjs-peer.ts: our own GPUDevice) and the two backends at empty modules, so
// face-api's nets run on the same device as our kernels.
// One part of face-api cannot run there: FaceLandmark68Net.detectLandmarks() (and so
// detectAllFaces().withFaceLandmarks()) reads its output with dataSync(), which the WebGPU backend
// implements by copying through an OffscreenCanvas — a browser object Node does not have
// ("OffscreenCanvas is not defined"). peerLandmarks() runs the same steps with the read awaited:
// toNetInput, the net's forwardInput (preprocessing, network, postProcess, on the GPU), data().
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Gpu } from '../../src/gpu/device.ts';
import { dequantize, FACE_API_MODELS, FACE_API_SSD, loadTfjsRaw, loadTfjsTensors } from '../../tools/convert-face-api.ts';
import { tfjsPeer, type TfPeer } from './tfjs-peer.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function redirectTfjsImports(): void {
  const req = createRequire(import.meta.url);
  const core = pathToFileURL(req.resolve('@tensorflow/tfjs-core')).href;
  const empty = 'data:text/javascript,export {};';
  const map: Record<string, string> = {
    '@tensorflow/tfjs/dist/index.js': core,
    '@tensorflow/tfjs-backend-webgl/dist/index.js': empty,
    '@tensorflow/tfjs-backend-wasm/dist/index.js': empty,
  };
  const hook = `const map = ${JSON.stringify(map)};
export async function resolve(specifier, context, next) {
  return Object.hasOwn(map, specifier) ? { url: map[specifier], shortCircuit: true } : next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/**
 * tfjs-core's Node build has no chained tensor methods (x.as3D(…), x.add(y) …): @tensorflow/tfjs adds
 * them by importing tfjs-core's ESM-only register_all_chained_ops. Add the same methods to this
 * instance's Tensor class: every name that file list defines, each the op of that name on `this`,
 * except the dozen that are spelled differently (as in tfjs-core's chained_ops/*.ts).
 */
function registerChainedOps(tf: Any): void {
  const dir = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/package.json')), 'dist/public/chained_ops');
  const names = new Set<string>();
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.js') || f.endsWith('_test.js')) continue;
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/prototype\.(\w+) = function/g)) names.add(m[1]);
  }
  const special: Record<string, (this: Any, ...a: Any[]) => Any> = {
    as1D() { return tf.reshape(this, [this.size]); },
    as2D(r, c) { return tf.reshape(this, [r, c]); },
    as3D(r, c, d) { return tf.reshape(this, [r, c, d]); },
    as4D(r, c, d, d2) { return tf.reshape(this, [r, c, d, d2]); },
    as5D(r, c, d, d2, d3) { return tf.reshape(this, [r, c, d, d2, d3]); },
    asScalar() { return tf.reshape(this, []); },
    asType(dtype) { return tf.cast(this, dtype); },
    flatten() { return tf.reshape(this, [this.size]); },
    reshapeAs(x) { return tf.reshape(this, x.shape); },
    toBool() { return tf.cast(this, 'bool'); },
    toFloat() { return tf.cast(this, 'float32'); },
    toInt() { return tf.cast(this, 'int32'); },
    concat(x, axis) { return tf.concat([this, ...(x instanceof tf.Tensor ? [x] : x)], axis); },
    stack(x, axis) { return tf.stack(x instanceof tf.Tensor ? [this, x] : [this, ...x], axis); },
    where(condition, x) { return tf.where(condition, this, x); },
  };
  const proto = tf.Tensor.prototype;
  for (const name of names) {
    if (name in proto) continue;
    const fn = special[name] ?? (typeof tf[name] === 'function' ? function (this: Any, ...a: Any[]) { return tf[name](this, ...a); } : null);
    if (!fn) throw new Error(`chained op ${name}: no tfjs-core op of that name`);
    Object.defineProperty(proto, name, { value: fn, configurable: true, writable: true });
  }
}

export interface FaceApiPeer {
  api: Any;
  tf: TfPeer;
  name: string;
}

let cached: Promise<FaceApiPeer> | null = null;

/** face-api's nets (tiny detector, 68 landmarks, SSD MobileNet-V1) with the package's weights, on TF.js WebGPU. */
export function faceApiWebgpu(gpu: Gpu): Promise<FaceApiPeer> {
  cached ??= (async () => {
    const tf = await tfjsPeer(gpu);
    registerChainedOps(tf.tf);
    redirectTfjsImports();
    const api: Any = await import('@vladmandic/face-api/dist/face-api.esm-nobundle.js');
    if (api.tf.getBackend() !== 'webgpu') throw new Error(`face-api runs on ${api.tf.getBackend()}, not webgpu`);
    if (api.tf.engine() !== tf.tf.engine()) throw new Error('face-api got a different tfjs-core instance');
    const nets: [Any, keyof typeof FACE_API_MODELS][] = [[api.nets.faceLandmark68Net, 'face-landmark-68'], [api.nets.tinyFaceDetector, 'tiny-face-detector']];
    for (const [net, ours] of nets) {
      const map: Record<string, unknown> = {};
      for (const t of loadTfjsTensors(FACE_API_MODELS[ours])) map[t.name] = api.tf.tensor(t.data, t.shape, 'float32');
      net.loadFromWeightMap(map);
    }
    const ssd: Record<string, unknown> = {};
    for (const t of loadTfjsRaw(FACE_API_SSD.base)) if (t.dtype === 'float32') ssd[t.name] = api.tf.tensor(dequantize(t), t.shape, 'float32');
    api.nets.ssdMobilenetv1.loadFromWeightMap(ssd);
    return { api, tf, name: `face-api ${api.version?.faceapi ?? ''} on ${tf.name}`.replace('  ', ' ') };
  })();
  return cached;
}

export type Xy = [number, number];

/**
 * face-api's detectLandmarks() on each face tensor (crops, any size), the output read asynchronously:
 * 68 points in crop pixels, as FaceLandmarks68 places them (relative × the crop's width, height).
 */
export async function peerLandmarks(api: Any, faces: Any[]): Promise<Xy[][]> {
  return Promise.all(faces.map(async (f) => {
    const y = await api.nets.faceLandmark68Net.forward(f);
    const v = (await y.data()) as Float32Array;
    y.dispose();
    const [h, w] = f.shape.slice(-3, -1) as [number, number];
    return Array.from({ length: 68 }, (_, k): Xy => [v[2 * k] * w, v[2 * k + 1] * h]);
  }));
}

/**
 * detectAllFaces(x, options).withFaceLandmarks() as face-api runs it (its DetectAllFaceLandmarksTask:
 * locate, extractFaceTensors of the detections, landmarks per face), landmarks read asynchronously.
 * Landmarks are in crop pixels (face-api's unshiftedLandmarks).
 */
export async function peerDetectWithLandmarks(api: Any, x: Any, options: Any): Promise<{ box: Any; score: number; unshifted: Xy[] }[]> {
  const dets: Any[] = await api.detectAllFaces(x, options);
  const faces: Any[] = await api.extractFaceTensors(x, dets);
  try {
    const marks = await peerLandmarks(api, faces);
    return dets.map((d, i) => ({ box: d.box, score: d.score, unshifted: marks[i] }));
  } finally {
    faces.forEach((f) => f.dispose());
  }
}

/**
 * SsdMobilenetv1.locateFaces(x, { minConfidence }) as face-api runs it, its outputs read asynchronously
 * (it reads them with dataSync / arraySync): the net's forwardInput (resize to 512², network, box
 * decoding, on the GPU), then on the host scores > minConfidence, NMS at IoU 0.5 — face-api's exported
 * greedy nonMaxSuppression, which picks what its SSD-private one does — at most 100, boxes clipped to
 * the square and scaled to the image.
 */
export async function peerSsdLocate(api: Any, x: Any, minConfidence = 0.5): Promise<Any[]> {
  const input = await api.toNetInput(x);
  const { boxes, scores } = api.nets.ssdMobilenetv1.forwardInput(input);
  const [b, s] = (await Promise.all([boxes[0].data(), scores[0].data()])) as Float32Array[];
  [...boxes, ...scores].forEach((t: Any) => t.dispose());
  const cand = [...s.keys()].filter((j) => s[j] > minConfidence);
  const rects = cand.map((j) => new api.Rect(b[4 * j + 1], b[4 * j], b[4 * j + 3] - b[4 * j + 1], b[4 * j + 2] - b[4 * j]));
  const picks: number[] = api.nonMaxSuppression(rects, cand.map((j) => s[j]), 0.5, true).slice(0, 100);
  const dims = input.getReshapedInputDimensions(0);
  const padX = input.inputSize / dims.width, padY = input.inputSize / dims.height;
  return picks.map((k) => {
    const j = cand[k];
    const [top, bottom] = [Math.max(0, b[4 * j]), Math.min(1, b[4 * j + 2])].map((v) => v * padY);
    const [left, right] = [Math.max(0, b[4 * j + 1]), Math.min(1, b[4 * j + 3])].map((v) => v * padX);
    return new api.FaceDetection(s[j], new api.Rect(left, top, right - left, bottom - top), { height: input.getInputHeight(0), width: input.getInputWidth(0) });
  });
}
