// The peer: TensorFlow.js's WebGPU backend running in Node on the engine's own GPUDevice (Dawn gives
// one device per adapter), so both sides share the adapter, the queue and the measurement.
import type { Gpu } from '../../src/gpu/device.ts';
import { nodePlatform } from '../../src/gpu/node.ts';

type Tf = typeof import('@tensorflow/tfjs-core');

export interface TfPeer {
  tf: Tf;
  name: string;
  /** submit whatever TF.js has recorded but not yet submitted */
  flush(): void;
}

let peer: TfPeer | null = null;

export async function tfjsPeer(gpu: Gpu): Promise<TfPeer> {
  if (peer) return peer;
  // The backend refuses to construct without navigator.gpu (Node 20 has no navigator).
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (!g.navigator?.gpu) {
    Object.defineProperty(globalThis, 'navigator', { value: { ...(g.navigator ?? {}), gpu: nodePlatform.gpu() }, configurable: true, writable: true });
  }
  const tf: Tf = await import('@tensorflow/tfjs-core');
  const webgpu = await import('@tensorflow/tfjs-backend-webgpu');
  type Backend = { submitQueue(): void; endComputePassEncoder(): void; commandEncoder: unknown };
  const { WebGPUBackend } = webgpu as unknown as { WebGPUBackend: new (d: GPUDevice, info: unknown) => Backend };
  // Importing the package registered a 'webgpu' factory that would request a second device; its kernels
  // are registered under the name 'webgpu', so re-register that name with our device instead.
  tf.removeBackend('webgpu');
  let backend: Backend | null = null;
  const make = () => (backend = new WebGPUBackend(gpu.device, { vendor: gpu.adapter.vendor, architecture: gpu.adapter.architecture }));
  tf.registerBackend('webgpu', make as unknown as Parameters<Tf['registerBackend']>[1]);
  if (!(await tf.setBackend('webgpu'))) throw new Error('TensorFlow.js refused the WebGPU backend on our device');
  await tf.ready();
  const version = (tf as unknown as { version_core: string }).version_core;
  peer = {
    tf,
    name: `TensorFlow.js ${version} WebGPU`,
    flush() {
      if (!backend?.commandEncoder) return;
      backend.endComputePassEncoder();
      backend.submitQueue();
    },
  };
  return peer;
}
