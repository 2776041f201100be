// Tensor: a shape, a dtype and a GPU buffer (shared by views through a ref-counted Storage).
// Memory is explicit: dispose(), or tidy() scopes (src/tensor/scope.ts). A tensor recorded by an
// op for its backward keeps its storage alive until that backward has run, even if disposed.
import { getGpu } from '../gpu/device.ts';
import { track } from './scope.ts';
import type { Node } from './node.ts';

export type DType = 'f32' | 'i32' | 'u32';
export type Shape = readonly number[];

export class Storage {
  refs = 1;
  constructor(readonly buffer: GPUBuffer, readonly bytes: number) {}
  retain(): void {
    if (this.refs <= 0) throw new Error('internal: retain of released storage');
    this.refs++;
  }
  release(): void {
    if (--this.refs === 0) getGpu().pool.release(this.buffer);
  }
}

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`Invalid shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

let backwardHook: ((root: Tensor, grad?: Tensor) => void) | null = null;
let disposeHook: ((t: Tensor) => void) | null = null;

/** Wired by tape.ts, which owns the graph (keeps this module free of import cycles). */
export function setAutogradHooks(backward: typeof backwardHook, dispose: typeof disposeHook): void {
  backwardHook = backward;
  disposeHook = dispose;
}

let nextTensorId = 1;
/** > 0 while backward closures run: they may read saved tensors whose handles were disposed. */
let savedAccess = 0;

/** Run fn (a backward closure) with access to disposed handles whose storage a node retains. */
export function withSavedAccess<T>(fn: () => T): T {
  savedAccess++;
  try {
    return fn();
  } finally {
    savedAccess--;
  }
}

export class Tensor {
  readonly id = nextTensorId++;
  readonly size: number;
  requiresGrad = false;
  grad: Tensor | null = null;
  /** The op that produced this tensor, while its backward may still be needed. */
  node: Node | null = null;
  private released = false;

  constructor(readonly shape: Shape, readonly dtype: DType, readonly storage: Storage) {
    this.size = sizeOf(shape);
    track(this);
  }

  /** A fresh, unwritten tensor from the pool. */
  static empty(shape: Shape, dtype: DType = 'f32'): Tensor {
    const bytes = Math.max(4, sizeOf(shape) * 4);
    const gpu = getGpu();
    const t = new Tensor([...shape], dtype, new Storage(gpu.pool.acquire(bytes), bytes));
    if (gpu.poison) gpu.poisonBuffer(t.storage.buffer);
    return t;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.released;
  }

  /** The GPU buffer; throws if this handle was disposed (even if a view shares the storage).
   *  Only backward closures may read a disposed handle whose storage the graph retains. */
  get buffer(): GPUBuffer {
    if (this.storage.refs <= 0 || (this.released && savedAccess === 0)) {
      throw new Error(`Tensor #${this.id} [${this.shape.join(', ')}] was used after dispose()`);
    }
    return this.storage.buffer;
  }

  /** A tensor sharing this one's storage with another shape of the same size. */
  view(shape: Shape): Tensor {
    if (sizeOf(shape) !== this.size) {
      throw new Error(`Cannot view [${this.shape.join(', ')}] as [${shape.join(', ')}]: sizes differ`);
    }
    this.storage.retain();
    return new Tensor([...shape], this.dtype, this.storage);
  }

  /** Release this handle. Idempotent. */
  dispose(): void {
    if (this.released) return;
    this.released = true;
    this.storage.release();
    disposeHook?.(this);
  }

  async read(): Promise<Float32Array | Int32Array | Uint32Array> {
    const buf = await getGpu().read(this.buffer, this.size * 4);
    return this.dtype === 'f32' ? new Float32Array(buf) : this.dtype === 'i32' ? new Int32Array(buf) : new Uint32Array(buf);
  }

  async readF32(): Promise<Float32Array> {
    if (this.dtype !== 'f32') throw new Error(`readF32 on a ${this.dtype} tensor`);
    return (await this.read()) as Float32Array;
  }

  async item(): Promise<number> {
    if (this.size !== 1) throw new Error(`item() needs a one-element tensor, got [${this.shape.join(', ')}]`);
    return (await this.read())[0];
  }

  /** Back-propagate from this tensor (a scalar unless `grad` is given). */
  backward(grad?: Tensor): void {
    if (!backwardHook) throw new Error('Autograd is not loaded (import src/tensor/tape.ts)');
    backwardHook(this, grad);
  }

  toString(): string {
    return `Tensor#${this.id}(${this.dtype}[${this.shape.join(', ')}]${this.requiresGrad ? ', grad' : ''})`;
  }
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
