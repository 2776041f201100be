// Tensor constructors: from host data, constants, and seeded random values (drawn on the host
// from the project's PRNG, so that a seed reproduces the same tensor on every adapter).
import { getGpu } from '../gpu/device.ts';
import { defineKernel } from '../gpu/kernel.ts';
import { globalRng, type Rng } from './random.ts';
import { sizeOf, Tensor, type DType, type Shape } from './tensor.ts';

const fillKernel = defineKernel({
  file: 'fill', entry: 'fill', params: [['n', 'u32'], ['bits', 'u32']], reads: 0, writes: 1, workgroupSize: 256,
});

type HostData = ArrayLike<number> | Float32Array | Int32Array | Uint32Array;

export function tensor(data: HostData, shape: Shape, dtype: DType = 'f32'): Tensor {
  const n = sizeOf(shape);
  if (data.length !== n) {
    throw new Error(`tensor(): ${data.length} values do not fill shape [${shape.join(', ')}] (${n})`);
  }
  const host =
    dtype === 'f32'
      ? data instanceof Float32Array ? data : Float32Array.from(data)
      : dtype === 'i32'
        ? data instanceof Int32Array ? data : Int32Array.from(data)
        : data instanceof Uint32Array ? data : Uint32Array.from(data);
  const t = Tensor.empty(shape, dtype);
  if (n > 0) getGpu().write(t.buffer, host);
  return t;
}

export function scalar(v: number): Tensor {
  return tensor([v], []);
}

export function full(shape: Shape, value: number, dtype: DType = 'f32'): Tensor {
  const t = Tensor.empty(shape, dtype);
  if (t.size === 0) return t;
  const bits = new DataView(new ArrayBuffer(4));
  if (dtype === 'f32') bits.setFloat32(0, value, true);
  else bits.setInt32(0, value, true);
  getGpu().dispatch(fillKernel, [t.buffer], { n: t.size, bits: bits.getUint32(0, true) }, t.size);
  return t;
}

export function zeros(shape: Shape, dtype: DType = 'f32'): Tensor {
  const t = Tensor.empty(shape, dtype);
  if (t.size > 0) getGpu().clear(t.buffer, 0, t.storage.buffer.size);
  return t;
}

export function ones(shape: Shape): Tensor {
  return full(shape, 1);
}

export function randn(shape: Shape, opts: { mean?: number; std?: number; rng?: Rng } = {}): Tensor {
  const rng = opts.rng ?? globalRng;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(opts.mean ?? 0, opts.std ?? 1);
  return tensor(data, shape);
}

export function rand(shape: Shape, opts: { lo?: number; hi?: number; rng?: Rng } = {}): Tensor {
  const rng = opts.rng ?? globalRng;
  const data = new Float32Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(opts.lo ?? 0, opts.hi ?? 1);
  return tensor(data, shape);
}
