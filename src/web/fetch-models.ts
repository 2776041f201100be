// Loading over HTTP what Node reads from files: the face models (weights/) and a SeeABLE checkpoint
// (its JSON, then the safetensors it names, verified against the recorded sha256 with Web Crypto).
// Parsing is shared with Node: face-model-files.ts and checkpoint-state.ts.
import { checkpointFromBytes, parseCheckpointMeta, type LoadedCheckpoint } from '../io/checkpoint-state.ts';
import { FACE_WEIGHT_FILES, faceModelsFromBytes } from '../io/face-model-files.ts';
import type { FaceModels } from '../models/face/index.ts';

async function fetchOk(url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`${url}: cannot fetch (${(e as Error).message})`);
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return res;
}

export async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await (await fetchOk(url)).arrayBuffer());
}

/** The tiny face detector and the 68-point landmark net from `base` (a URL of the weights/ folder). */
export async function fetchFaceModels(base: string): Promise<FaceModels> {
  const at = (f: string) => new URL(f, new URL(base, location.href)).href;
  const [detector, landmarks] = await Promise.all([fetchBytes(at(FACE_WEIGHT_FILES.detector)), fetchBytes(at(FACE_WEIGHT_FILES.landmarks))]);
  return faceModelsFromBytes({ detector, landmarks });
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A checkpoint from the URL of its JSON (the safetensors file beside it is fetched and verified). */
export async function fetchCheckpoint(url: string): Promise<LoadedCheckpoint> {
  const abs = new URL(url, location.href).href;
  const meta = parseCheckpointMeta(await (await fetchOk(abs)).text(), abs);
  const turl = new URL(meta.tensors, abs).href;
  const bytes = await fetchBytes(turl);
  const sha = await sha256Hex(bytes);
  if (sha !== meta.sha256) throw new Error(`${turl}: sha256 ${sha} differs from ${meta.sha256} recorded in ${abs} (corrupt or replaced)`);
  return checkpointFromBytes(meta, abs, bytes, turl);
}
