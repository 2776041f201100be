// Face detection + 68 landmarks, per image (one face each): our kernels (src/models/face) vs
// @vladmandic/face-api on TensorFlow.js's WebGPU backend on the same device (bench/lib/face-api-webgpu.ts).
//   npm run bench -- faces [--quick]        (--quick: 3 images, 2 rounds)
// Each side starts from the decoded RGB bytes in host memory and ends with boxes / landmarks in image
// pixels on the host, each by its own library's path:
//   detect     ours: detectBoxes (host pad + resize, forward, readback, decode, NMS);
//              face-api: tinyFaceDetector.locateFaces(tensor3d) (pad + resize on the GPU, the rest alike)
//   landmarks  on the same crops (ours' detections): ours landmarksForCrops (host crop + resize, one
//              batched forward); face-api extractFaceTensors + the landmark net per face
//   both       detectFaces vs detectAllFaces(…).withFaceLandmarks()'s steps
//   ssd        the same two with the SSD MobileNet-V1 detector (512²): detectBoxes vs
//              ssdMobilenetv1.locateFaces' steps, and detection + landmarks
// (face-api's landmark readback is awaited, not dataSync(): see bench/lib/face-api-webgpu.ts.)
// Warm-up, then rounds over the images with ours and the peer interleaved image by image; a case's
// figure is the median over (images × rounds) of the per-image milliseconds (and the minimum, and the
// median worker-thread CPU ms: lavapipe's threads run both sides' kernels; see bench/README.md).
// Before timing, each image's detections and landmarks are checked to agree with the peer's.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from '../src/io/images.ts';
import { loadFaceModels } from '../src/io/face-weights.ts';
import { cropRect, detectBoxes, detectFaces, landmarksForCrops, type FaceModels, type PixelRect, type RgbPixels } from '../src/models/face/index.ts';
import { workerCpuNs } from './lib/cputime.ts';
import { faceApiWebgpu, peerDetectWithLandmarks, peerLandmarks, peerSsdLocate } from './lib/face-api-webgpu.ts';
import type { Bench, BenchCase } from './lib/types.ts';

const VAL = '/work/shared/data/val';
const INPUT_SIZE = 224;
const SCORE = 0.5;
/** boxes and landmarks, image pixels: ours vs face-api on WebGPU (both f32 GPU, different kernels) */
const AGREE_PX = 0.05;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
interface Sample { ms: number; cpuMs: number | null }

async function timed(fn: () => Promise<unknown>): Promise<Sample> {
  const c0 = workerCpuNs();
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const c1 = workerCpuNs();
  return { ms, cpuMs: c0 === null || c1 === null ? null : (c1 - c0) / 1e6 };
}

const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

export const bench: Bench = {
  description: `face detection (tiny detector at ${INPUT_SIZE}², SSD MobileNet-V1 at 512²) + 68 landmarks per image, ours vs face-api on TensorFlow.js WebGPU, same device, interleaved`,
  unit: 'images/s',
  async run(ctx) {
    const peer = await faceApiWebgpu(ctx.gpu);
    const { api } = peer;
    const tf = api.tf;
    const models = loadFaceModels();
    const ssdModels: FaceModels = loadFaceModels(undefined, 'ssd');
    const gt = JSON.parse(readFileSync(join(VAL, 'landmarks.json'), 'utf8')) as Record<string, unknown>;
    const files = Object.keys(gt).slice(0, ctx.quick ? 3 : 8);
    const rounds = ctx.quick ? 2 : 3;
    const images: { file: string; img: RgbPixels; crops: PixelRect[] }[] = [];
    for (const file of files) {
      const img = await decodeImage(join(VAL, file));
      const boxes = await detectBoxes(img, models.detector, { inputSize: INPUT_SIZE, scoreThreshold: SCORE });
      images.push({ file, img, crops: boxes.map((b) => cropRect(b.box, img.width, img.height)).filter((c): c is PixelRect => c !== null) });
    }
    const opts = () => new api.TinyFaceDetectorOptions({ inputSize: INPUT_SIZE, scoreThreshold: SCORE });
    const ssdWithLandmarks = async (x: Any) => {
      const dets = await peerSsdLocate(api, x, SCORE);
      const faces: Any[] = await api.extractFaceTensors(x, dets);
      try { return await peerLandmarks(api, faces); } finally { faces.forEach((f) => f.dispose()); }
    };
    const input = (img: RgbPixels) => tf.tensor3d(Float32Array.from(img.data), [img.height, img.width, 3], 'float32');
    const stages: Record<string, { ours: (s: typeof images[number]) => Promise<unknown>; peer: (s: typeof images[number]) => Promise<unknown> }> = {
      [`tiny detect ${INPUT_SIZE}²`]: {
        ours: (s) => detectBoxes(s.img, models.detector, { inputSize: INPUT_SIZE, scoreThreshold: SCORE }),
        peer: async (s) => { const x = input(s.img); try { return await api.nets.tinyFaceDetector.locateFaces(x, opts()); } finally { x.dispose(); } },
      },
      '68 landmarks (given crops)': {
        ours: (s) => landmarksForCrops(s.img, s.crops, models.landmarks),
        peer: async (s) => {
          const x = input(s.img);
          try {
            const faces: Any[] = await api.extractFaceTensors(x, s.crops.map((c) => new api.Rect(c.x, c.y, c.width, c.height)));
            try { return await peerLandmarks(api, faces); } finally { faces.forEach((f) => f.dispose()); }
          } finally { x.dispose(); }
        },
      },
      [`tiny detect ${INPUT_SIZE}² + 68 landmarks`]: {
        ours: (s) => detectFaces(s.img, models, { inputSize: INPUT_SIZE, scoreThreshold: SCORE }),
        peer: async (s) => { const x = input(s.img); try { return await peerDetectWithLandmarks(api, x, opts()); } finally { x.dispose(); } },
      },
      'ssd detect 512²': {
        ours: (s) => detectBoxes(s.img, ssdModels.detector, { scoreThreshold: SCORE }),
        peer: async (s) => { const x = input(s.img); try { return await peerSsdLocate(api, x, SCORE); } finally { x.dispose(); } },
      },
      'ssd detect 512² + 68 landmarks': {
        ours: (s) => detectFaces(s.img, ssdModels, { scoreThreshold: SCORE }),
        peer: async (s) => { const x = input(s.img); try { return await ssdWithLandmarks(x); } finally { x.dispose(); } },
      },
    };

    // Same answers first (face-api's landmarks are placed at the detection box's corner, ours at the
    // crop's: compare face-api's crop-relative points shifted by the crop, as test/models/face-pipeline does).
    let worst = 0;
    for (const s of images) {
      const ours = await detectFaces(s.img, models, { inputSize: INPUT_SIZE, scoreThreshold: SCORE });
      const theirs: Any[] = await stages[`tiny detect ${INPUT_SIZE}² + 68 landmarks`].peer(s) as Any[];
      if (ours.length !== theirs.length) throw new Error(`${s.file}: ours ${ours.length} faces, face-api ${theirs.length}`);
      ours.forEach((o, i) => {
        const p = theirs[i], b = p.box, crop = cropRect(b, s.img.width, s.img.height)!;
        for (const k of ['x', 'y', 'width', 'height'] as const) worst = Math.max(worst, Math.abs(o.box[k] - b[k]));
        p.unshifted.forEach(([x, y]: [number, number], k: number) => {
          worst = Math.max(worst, Math.abs(o.landmarks68[k][0] - (x + crop.x)), Math.abs(o.landmarks68[k][1] - (y + crop.y)));
        });
      });
    }
    for (const s of images) {
      const ours = await detectBoxes(s.img, ssdModels.detector, { scoreThreshold: SCORE });
      const x = input(s.img);
      const theirs: Any[] = await peerSsdLocate(api, x, SCORE);
      x.dispose();
      if (ours.length !== theirs.length) throw new Error(`${s.file}: SSD: ours ${ours.length} faces, face-api ${theirs.length}`);
      ours.forEach((o, i) => { for (const k of ['x', 'y', 'width', 'height'] as const) worst = Math.max(worst, Math.abs(o.box[k] - theirs[i].box[k])); });
    }
    if (!(worst <= AGREE_PX)) throw new Error(`ours and face-api (WebGPU) disagree: max |Δ| ${worst} px`);
    ctx.log(`${images.length} images agree with face-api on WebGPU (tiny and SSD boxes, landmarks: max |Δ| ${worst.toExponential(2)} px)`);

    const out: BenchCase[] = [];
    for (const [name, st] of Object.entries(stages)) {
      for (const s of images.slice(0, 2)) { await st.ours(s); await st.peer(s); } // pipelines, buffers
      const mine: Sample[] = [], theirs: Sample[] = [];
      for (let r = 0; r < rounds; r++) {
        for (const s of images) {
          mine.push(await timed(() => st.ours(s)));
          theirs.push(await timed(() => st.peer(s)));
        }
      }
      const ms = (v: Sample[]) => median(v.map((x) => x.ms));
      const cpu = (v: Sample[]) => (v.every((x) => x.cpuMs !== null) ? median(v.map((x) => x.cpuMs!)) : null);
      const [om, pm, oc, pc] = [ms(mine), ms(theirs), cpu(mine), cpu(theirs)];
      const row: BenchCase = {
        case: name, ours: 1e3 / om, peer: 1e3 / pm, peerName: peer.name, ratio: pm / om,
        oursCpu: oc ? 1e3 / oc : null, peerCpu: pc ? 1e3 / pc : null, ratioCpu: oc && pc ? pc / oc : null,
        oursMs: om, peerMs: pm, oursMinMs: Math.min(...mine.map((x) => x.ms)), peerMinMs: Math.min(...theirs.map((x) => x.ms)),
        oursCpuMs: oc, peerCpuMs: pc, images: images.length, rounds, faces: images.reduce((n, s) => n + s.crops.length, 0),
      };
      out.push(row);
      ctx.log(`${name}: ours ${om.toFixed(0)} ms, face-api ${pm.toFixed(0)} ms per image (×${row.ratio!.toFixed(2)}); worker CPU ${oc?.toFixed(0)} / ${pc?.toFixed(0)} ms`);
    }
    models.detector.dispose();
    models.landmarks.dispose();
    ssdModels.detector.dispose();
    ssdModels.landmarks.dispose();
    return out;
  },
};
