// Loads the face detector and 68-point landmark net from the shipped safetensors in weights/
// (made by tools/convert-face-api.ts). Node file I/O; the browser fetches the same files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmark68Net, TinyFaceDetector, type FaceModels } from '../models/face/index.ts';

export const DEFAULT_FACE_WEIGHTS = fileURLToPath(new URL('../../weights/', import.meta.url));

export function loadFaceModels(dir = DEFAULT_FACE_WEIGHTS): FaceModels {
  const read = (f: string) => new Uint8Array(readFileSync(join(dir, f)));
  return {
    detector: TinyFaceDetector.load(read('tiny-face-detector.safetensors')),
    landmarks: FaceLandmark68Net.load(read('face-landmark-68.safetensors')),
  };
}
