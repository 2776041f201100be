// Test-only peer for the SSD MobileNet-V1 detector: face-api's own SsdMobilenetv1 on TF.js's CPU backend
// (test/models/face-peer.ts), loaded from the package's TF.js manifest (the f32 tensors, dequantised).
import { dequantize, FACE_API_SSD, loadTfjsRaw } from '../../tools/convert-face-api.ts';
import { faceApi } from './face-peer.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
let loaded: Promise<Any> | null = null;

async function ssdApi(): Promise<Any> {
  loaded ??= (async () => {
    const api = await faceApi();
    const map: Record<string, unknown> = {};
    for (const t of loadTfjsRaw(FACE_API_SSD.base)) if (t.dtype === 'float32') map[t.name] = api.tf.tensor(dequantize(t), t.shape, 'float32');
    api.nets.ssdMobilenetv1.loadFromWeightMap(map);
    return api;
  })();
  return loaded;
}

/**
 * face-api's SSD on an RGB image (interleaved, 0‥255): every anchor's decoded box (ymin, xmin, ymax,
 * xmax, relative to the 512² square) and score, and locateFaces()' detections (image pixels).
 */
export async function peerSsdDetect(rgb: Uint8Array, width: number, height: number, minConfidence: number) {
  const api = await ssdApi();
  const net = api.nets.ssdMobilenetv1;
  const x = api.tf.tensor3d(Float32Array.from(rgb), [height, width, 3], 'float32');
  // One forward on TF.js CPU takes most of a minute here: keep a copy of the outputs locateFaces()
  // computes instead of running forward() a second time.
  let kept: { boxes: Any; scores: Any } | null = null;
  net.forwardInput = (input: Any) => {
    const r = Object.getPrototypeOf(net).forwardInput.call(net, input);
    kept = { boxes: r.boxes[0].clone(), scores: r.scores[0].clone() };
    return r;
  };
  let dets: Any[];
  try {
    dets = await net.locateFaces(x, { minConfidence });
  } finally {
    delete net.forwardInput;
    x.dispose();
  }
  if (!kept) throw new Error('locateFaces did not call forwardInput');
  const { boxes: b, scores: s } = kept as { boxes: Any; scores: Any };
  const boxes = (await b.data()) as Float32Array, scores = (await s.data()) as Float32Array;
  b.dispose();
  s.dispose();
  return {
    boxes, scores,
    detections: dets.map((d: Any) => ({ score: d.score as number, box: { x: d.box.x, y: d.box.y, width: d.box.width, height: d.box.height } })),
  };
}
