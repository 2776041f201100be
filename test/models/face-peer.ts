// Test-only peer: @vladmandic/face-api's own nets on TF.js's CPU backend, loaded from the same
// TF.js manifests our converter reads. The package's bundled ESM build picks a Node platform shim
// that its browser bundle stubbed out, so it is imported with process.versions.node hidden.
import { FACE_API_MODELS, loadTfjsTensors } from '../../tools/convert-face-api.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let cached: Promise<Any> | null = null;

export function faceApi(): Promise<Any> {
  cached ??= (async () => {
    const saved = Object.getOwnPropertyDescriptor(process, 'versions')!;
    Object.defineProperty(process, 'versions', { value: { ...process.versions, node: undefined }, configurable: true });
    let api: Any;
    try {
      api = await import('@vladmandic/face-api/dist/face-api.esm.js');
    } finally {
      Object.defineProperty(process, 'versions', saved);
    }
    // No platform was registered (neither browser nor Node as far as the bundle could tell): a minimal one.
    api.tf.setPlatform('test', {
      fetch: globalThis.fetch,
      now: () => performance.now(),
      encode: (s: string) => new TextEncoder().encode(s),
      decode: (b: Uint8Array, enc: string) => new TextDecoder(enc).decode(b),
      isTypedArray: (a: unknown) => a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray,
      setTimeoutCustom: (fn: () => void, ms: number) => setTimeout(fn, ms),
    });
    api.env.initialize(); // face-api's own Node environment (its input checks need one)
    await api.tf.setBackend('cpu');
    await api.tf.ready();
    for (const [net, ours] of [[api.nets.faceLandmark68Net, 'face-landmark-68'], [api.nets.tinyFaceDetector, 'tiny-face-detector']] as const) {
      const map: Record<string, unknown> = {};
      for (const t of loadTfjsTensors(FACE_API_MODELS[ours])) map[t.name] = api.tf.tensor(t.data, t.shape, 'float32');
      net.loadFromWeightMap(map);
    }
    return api;
  })();
  return cached;
}

/** face-api's landmark net on one 112×112 RGB crop (interleaved, 0‥255) → 136 values in [0, 1]. */
export async function peerLandmarks(rgb: Uint8Array): Promise<Float32Array> {
  const api = await faceApi();
  const x = api.tf.tensor3d(Float32Array.from(rgb), [112, 112, 3], 'float32');
  const y = await api.nets.faceLandmark68Net.forward(x);
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

/** face-api's tiny detector on an RGB image (interleaved, 0‥255): raw head (NHWC) and its detections. */
export async function peerTinyDetect(rgb: Uint8Array, width: number, height: number, inputSize: number, scoreThreshold: number) {
  const api = await faceApi();
  const x = api.tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
  const head = await api.nets.tinyFaceDetector.forward(x, inputSize);
  const raw = (await head.data()) as Float32Array;
  head.dispose();
  const dets = await api.nets.tinyFaceDetector.locateFaces(x, { inputSize, scoreThreshold });
  x.dispose();
  return {
    head: raw,
    cells: head.shape[1] as number,
    detections: dets.map((d: Any) => ({ score: d.score as number, box: { x: d.relativeBox.x, y: d.relativeBox.y, width: d.relativeBox.width, height: d.relativeBox.height } })),
  };
}

/** face-api's own greedy NMS (ops/nonMaxSuppression). */
export async function peerNms(boxes: { x: number; y: number; width: number; height: number }[], scores: number[], iou: number): Promise<number[]> {
  const api = await faceApi();
  return api.nonMaxSuppression(boxes.map((b) => new api.Rect(b.x, b.y, b.width, b.height)), scores, iou, true);
}

/** face-api's whole pipeline: detectAllFaces(TinyFaceDetectorOptions).withFaceLandmarks(). */
export async function peerDetectFaces(rgb: Uint8Array, width: number, height: number, inputSize: number, scoreThreshold: number) {
  const api = await faceApi();
  const x = api.tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
  const res = await api.detectAllFaces(x, new api.TinyFaceDetectorOptions({ inputSize, scoreThreshold })).withFaceLandmarks();
  x.dispose();
  return res.map((r: Any) => ({
    score: r.detection.score as number,
    box: { x: r.detection.box.x, y: r.detection.box.y, width: r.detection.box.width, height: r.detection.box.height },
    /** landmarks in crop pixels (before face-api shifts them by the detection box) */
    unshifted: r.unshiftedLandmarks.positions.map((p: Any) => [p.x, p.y] as [number, number]),
  }));
}
