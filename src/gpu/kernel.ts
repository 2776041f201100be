// A kernel is one WGSL entry point plus the facts the dispatcher needs to bind it.
// Binding convention, shared by every file in kernels/:
//   @binding(0)            var<uniform> p: Params     (dynamic offset into the per-submit uniform ring)
//   @binding(1 .. reads)   var<storage, read>         inputs
//   @binding(reads+1 ..)   var<storage, read_write>   outputs (or in-place state)
// Params structs hold only 4-byte scalars (u32, i32, f32) so that TS packs them in declaration order.

export type ParamType = 'u32' | 'i32' | 'f32';
export type ParamSpec = readonly (readonly [name: string, type: ParamType])[];

export interface Kernel {
  /** kernels/<file>.wgsl */
  readonly file: string;
  readonly entry: string;
  readonly params: ParamSpec;
  /** read-only storage bindings, bound after the uniform */
  readonly reads: number;
  /** read_write storage bindings, bound after the reads */
  readonly writes: number;
  /** invocations per workgroup along x (must match the WGSL, usually via `override WG`) */
  readonly workgroupSize: number;
}

export function defineKernel(k: Kernel): Kernel {
  if (k.params.length === 0) throw new Error(`Kernel ${k.file}:${k.entry} needs at least one param`);
  return Object.freeze({ ...k });
}

/** Byte size of a packed Params struct, rounded to WGSL's 16-byte uniform struct alignment. */
export function paramBytes(spec: ParamSpec): number {
  return Math.ceil((spec.length * 4) / 16) * 16;
}

export function packParams(
  k: Kernel,
  values: Readonly<Record<string, number>>,
  view: DataView,
  offset: number,
): void {
  k.params.forEach(([name, type], i) => {
    const v = values[name];
    if (v === undefined || Number.isNaN(v) && type !== 'f32') {
      throw new Error(`Kernel ${k.file}:${k.entry}: param "${name}" is missing or not a number`);
    }
    const at = offset + i * 4;
    if (type === 'f32') view.setFloat32(at, v, true);
    else if (type === 'i32') view.setInt32(at, v, true);
    else {
      if (v < 0 || !Number.isInteger(v) || v > 0xffffffff) {
        throw new Error(`Kernel ${k.file}:${k.entry}: u32 param "${name}" = ${v} is out of range`);
      }
      view.setUint32(at, v, true);
    }
  });
}

/** Workgroup grid for `n` invocations of a 1-D kernel, folded into y past WebGPU's 65,535 per dimension.
 *  The WGSL side recovers the flat index as gid.x + gid.y * num_workgroups.x * WG. */
export function grid1d(n: number, workgroupSize: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / workgroupSize));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  return [Math.ceil(groups / y), y, 1];
}
