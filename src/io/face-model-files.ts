// The shipped face models (weights/, made by tools/convert-face-api.ts) from their bytes: the one
// parser Node (src/io/face-weights.ts, files) and the browser demo (src/web, fetch) both go through.
import { FaceLandmark68Net, TinyFaceDetector, type FaceModels } from '../models/face/index.ts';

/** File names under weights/. */
export const FACE_WEIGHT_FILES = {
  detector: 'tiny-face-detector.safetensors',
  landmarks: 'face-landmark-68.safetensors',
} as const;

export function faceModelsFromBytes(bytes: { detector: Uint8Array; landmarks: Uint8Array }): FaceModels {
  return {
    detector: TinyFaceDetector.load(bytes.detector),
    landmarks: FaceLandmark68Net.load(bytes.landmarks),
  };
}
