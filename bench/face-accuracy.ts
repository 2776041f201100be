// Standalone (`npm run bench -- faces` times ours vs face-api): accuracy and speed of our face detector
// + 68 landmarks (src/models/face) on the first N faces of a split's landmarks.json (file order):
//   node --import tsx bench/face-accuracy.ts [--detector tiny|ssd|tiny+ssd] [--split val] [--n 100] [--prefix lfw_]
//     [--input-size 224] [--score-threshold 0.5]        (--input-size: the tiny detector's; the SSD's is 512)
// - detection rate: a face counts as found when a box overlaps the bounding box of its 68 annotated
//   points with IoU ≥ 0.3 (face-api's boxes include the forehead, the points' box does not: the IoU of
//   good hits is ~0.5–0.7); the best-overlapping box is the match.
// - NME: mean point-to-point error of the matched face's 68 landmarks / inter-ocular distance (outer eye
//   corners 36–45, the 300-W convention), per group (afw / helen: ground truth; lfw: dlib's output).
// Writes bench/results/faces-<split>-n<N>-s<input size>.json (tiny), …-s<size>-ssd-fallback.json (tiny+ssd)
// or faces-<split>-n<N>-ssd.json.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import '../src/gpu/node.ts';
import { initGpu } from '../src/gpu/device.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import { decodeImage } from '../src/io/images.ts';
import { DEFAULT_INPUT_SIZE, detectFaces, FACE_DETECTORS, iou, SSD_INPUT, type FaceDetectorKind } from '../src/models/face/index.ts';
import { loadFaceModels } from '../src/io/face-weights.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const split = arg('split', 'val');
const n = parseInt(arg('n', '100'), 10);
const detector = arg('detector', 'tiny') as FaceDetectorKind;
if (!FACE_DETECTORS.includes(detector)) throw new Error(`--detector ${detector}: one of ${FACE_DETECTORS.join(', ')}`);
const inputSize = detector === 'ssd' ? SSD_INPUT : parseInt(arg('input-size', String(DEFAULT_INPUT_SIZE)), 10);
const scoreThreshold = parseFloat(arg('score-threshold', '0.5'));
const dir = join('/work/shared/data', split);

const gt = JSON.parse(readFileSync(join(dir, 'landmarks.json'), 'utf8')) as Record<string, [number, number][]>;
const prefix = arg('prefix', '');
const files = Object.keys(gt).filter((f) => f.startsWith(prefix)).slice(0, n);
await initGpu({ log: null });
const models = loadFaceModels(undefined, detector);

interface Row { file: string; group: string; found: boolean; iou: number; nme: number | null; faces: number; ms: number }
const rows: Row[] = [];
for (const file of files) {
  const pts = gt[file];
  const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
  const gtBox = { x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys) };
  const img = await decodeImage(join(dir, file));
  const t0 = performance.now();
  const faces = await detectFaces(img, models, { inputSize, scoreThreshold });
  const ms = performance.now() - t0;
  let best = -1, bestIou = 0;
  faces.forEach((f, i) => { const v = iou(f.box, gtBox); if (v > bestIou) { bestIou = v; best = i; } });
  const found = bestIou >= 0.3;
  let nme: number | null = null;
  if (found) {
    const io = Math.hypot(pts[36][0] - pts[45][0], pts[36][1] - pts[45][1]);
    nme = faces[best].landmarks68.reduce((a, [x, y], k) => a + Math.hypot(x - pts[k][0], y - pts[k][1]), 0) / 68 / io;
  }
  rows.push({ file, group: file.split('_')[0], found, iou: bestIou, nme, faces: faces.length, ms });
}
models.detector.dispose();
models.landmarks.dispose();

const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : NaN; };
const summary = (rs: Row[]) => {
  const nmes = rs.filter((r) => r.nme !== null).map((r) => r.nme!);
  return {
    faces: rs.length,
    detectionRate: rs.filter((r) => r.found).length / rs.length,
    nmeMean: mean(nmes),
    nmeMedian: median(nmes),
    failureRate010: nmes.filter((v) => v > 0.1).length / Math.max(1, nmes.length),
    medianIou: median(rs.filter((r) => r.found).map((r) => r.iou)),
  };
};
const groups = Object.fromEntries([...new Set(rows.map((r) => r.group))].map((g) => [g, summary(rows.filter((r) => r.group === g))]));
const result = {
  split, prefix, n: rows.length, detector, inputSize, scoreThreshold,
  all: summary(rows), groups,
  msPerImageMedian: median(rows.map((r) => r.ms)),
  loadAverage: loadavg()[0],
  missed: rows.filter((r) => !r.found).map((r) => `${r.file} (faces ${r.faces}, best IoU ${r.iou.toFixed(2)})`),
  date: new Date().toISOString(),
};
console.log(JSON.stringify(result, null, 2));
writeFileAtomic(join(import.meta.dirname, 'results', `faces-${split}${prefix ? `-${prefix.replace(/_$/, '')}` : ''}-n${rows.length}-${detector === 'ssd' ? 'ssd' : detector === 'tiny+ssd' ? `s${inputSize}-ssd-fallback` : `s${inputSize}`}.json`), `${JSON.stringify(result, null, 2)}\n`);
