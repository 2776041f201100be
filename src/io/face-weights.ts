// Loads the face detector and 68-point landmark net from the shipped safetensors in weights/
// (made by tools/convert-face-api.ts). Node file I/O; the browser fetches the same files
// (src/web/fetch-models.ts) and both parse them through face-model-files.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmark68Net, SsdMobilenetV1, type FaceDetectorKind, type FaceModels } from '../models/face/index.ts';
import { FACE_WEIGHT_FILES, faceModelsFromBytes } from './face-model-files.ts';

export const DEFAULT_FACE_WEIGHTS = fileURLToPath(new URL('../../weights/', import.meta.url));

/** The SSD MobileNet-V1 detector's file under weights/ (`detector: 'ssd'`). */
export const SSD_WEIGHT_FILE = 'ssd-mobilenet-v1.safetensors';

export function loadFaceModels(dir = DEFAULT_FACE_WEIGHTS, detector: FaceDetectorKind = 'tiny'): FaceModels {
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  if (detector === 'ssd') return { detector: SsdMobilenetV1.load(read(SSD_WEIGHT_FILE)), landmarks: FaceLandmark68Net.load(read(FACE_WEIGHT_FILES.landmarks)) };
  const tiny = faceModelsFromBytes({ detector: read(FACE_WEIGHT_FILES.detector), landmarks: read(FACE_WEIGHT_FILES.landmarks) });
  return detector === 'tiny+ssd' ? { ...tiny, fallback: SsdMobilenetV1.load(read(SSD_WEIGHT_FILE)) } : tiny;
}
