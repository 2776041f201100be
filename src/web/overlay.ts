// Draws the photo and each scored face's overlay with a WebGPU render pipeline
// (shaders/image.wgsl, shaders/face-overlay.wgsl) into any rgba/bgra texture, or into an offscreen
// one whose pixels come back (renderPixels: the demo's picture, and the Node render test's). One
// pass: the photo, then one quad per face.
import type { RgbImage } from '../seeable/image.ts';
import type { OverlayFace } from './overlay-geometry.ts';

const FACE_UNIFORM_BYTES = 112;
// GPUTextureUsage / GPUBufferUsage bits (the globals are not defined in every runtime).
const TEX_BINDING = 0x4, COPY_DST = 0x2, TEX_COPY_SRC = 0x1, RENDER_ATTACHMENT = 0x10;
const UNIFORM = 0x40, STORAGE = 0x80, BUF_COPY_DST = 0x8, MAP_READ = 0x1, MAP_MODE_READ = 0x1;

export interface OverlayStyle {
  /** target pixels per image pixel */
  scale: number;
  lineWidth?: number;
  dotRadius?: number;
  heatAlpha?: number;
}

export const BOX_COLORS = { fake: [0.86, 0.15, 0.15, 1], real: [0.1, 0.72, 0.35, 1], unknown: [1, 0.8, 0.1, 1] } as const;

/** The Face uniform of face-overlay.wgsl (field order and offsets as declared there). */
export function faceUniform(f: OverlayFace, target: { width: number; height: number }, s: Required<OverlayStyle>): ArrayBuffer {
  const buf = new ArrayBuffer(FACE_UNIFORM_BYTES);
  const fl = new Float32Array(buf), u = new Uint32Array(buf);
  fl.set(f.box, 0);
  fl.set([f.grid.x0, f.grid.y0, f.grid.dx, f.grid.dy], 4);
  fl.set([f.grid.x1, f.grid.y1, target.width, target.height], 8);
  fl.set(f.fake === null ? BOX_COLORS.unknown : f.fake ? BOX_COLORS.fake : BOX_COLORS.real, 12);
  fl.set([s.scale, s.lineWidth, s.dotRadius, s.heatAlpha, f.lo, f.hi], 16);
  u.set([f.grid.rows, f.grid.cols, f.hull.length, f.landmarks.length / 2], 22);
  return buf;
}

export function withDefaults(s: OverlayStyle): Required<OverlayStyle> {
  return { lineWidth: Math.max(2, 2 * s.scale), dotRadius: Math.max(1.5, 1.6 * s.scale), heatAlpha: 0.55, ...s };
}

export class OverlayRenderer {
  private readonly imagePipeline: GPURenderPipeline;
  private readonly facePipeline: GPURenderPipeline;
  private readonly sampler: GPUSampler;

  constructor(private readonly device: GPUDevice, private readonly format: GPUTextureFormat, shaders: { image: string; faceOverlay: string }) {
    const image = device.createShaderModule({ code: shaders.image, label: 'image.wgsl' });
    const face = device.createShaderModule({ code: shaders.faceOverlay, label: 'face-overlay.wgsl' });
    this.imagePipeline = device.createRenderPipeline({
      label: 'image', layout: 'auto',
      vertex: { module: image, entryPoint: 'vs' },
      fragment: { module: image, entryPoint: 'fs', targets: [{ format }] },
      primitive: { topology: 'triangle-list' },
    });
    this.facePipeline = device.createRenderPipeline({
      label: 'face-overlay', layout: 'auto',
      vertex: { module: face, entryPoint: 'vs' },
      fragment: {
        module: face, entryPoint: 'fs',
        targets: [{ format, blend: {
          color: { srcFactor: 'src-alpha', dstFactor: 'one-minus-src-alpha', operation: 'add' },
          alpha: { srcFactor: 'one', dstFactor: 'one-minus-src-alpha', operation: 'add' },
        } }],
      },
      primitive: { topology: 'triangle-list' },
    });
    this.sampler = device.createSampler({ magFilter: 'linear', minFilter: 'linear' });
  }

  /** The photo as an rgba8unorm texture (the very pixels that were scored). */
  uploadPhoto(img: RgbImage): GPUTexture {
    const { width, height, data } = img;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      rgba[4 * i] = data[3 * i];
      rgba[4 * i + 1] = data[3 * i + 1];
      rgba[4 * i + 2] = data[3 * i + 2];
      rgba[4 * i + 3] = 255;
    }
    const tex = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: TEX_BINDING | COPY_DST, label: 'photo' });
    this.device.queue.writeTexture({ texture: tex }, rgba, { bytesPerRow: width * 4 }, [width, height]);
    return tex;
  }

  private storage(data: Float32Array): GPUBuffer {
    const b = this.device.createBuffer({ size: Math.max(16, data.byteLength), usage: STORAGE | BUF_COPY_DST });
    this.device.queue.writeBuffer(b, 0, data.buffer, data.byteOffset, data.byteLength);
    return b;
  }

  /** Draw the photo and the faces into `target` (its size sets the scale's frame); submits. */
  draw(target: GPUTexture, photo: GPUTexture, faces: readonly OverlayFace[], style: OverlayStyle): void {
    const s = withDefaults(style);
    const temp: GPUBuffer[] = [];
    const enc = this.device.createCommandEncoder({ label: 'overlay' });
    const pass = enc.beginRenderPass({
      colorAttachments: [{ view: target.createView(), loadOp: 'clear', storeOp: 'store', clearValue: { r: 0, g: 0, b: 0, a: 1 } }],
    });
    pass.setPipeline(this.imagePipeline);
    pass.setBindGroup(0, this.device.createBindGroup({
      layout: this.imagePipeline.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: photo.createView() }, { binding: 1, resource: this.sampler }],
    }));
    pass.draw(3);
    pass.setPipeline(this.facePipeline);
    for (const f of faces) {
      const uniform = this.device.createBuffer({ size: FACE_UNIFORM_BYTES, usage: UNIFORM | BUF_COPY_DST });
      this.device.queue.writeBuffer(uniform, 0, faceUniform(f, target, s));
      const buffers = [uniform, this.storage(Float32Array.from(f.cells)), this.storage(Float32Array.from(f.hull.flat())), this.storage(Float32Array.from(f.landmarks))];
      temp.push(...buffers);
      pass.setBindGroup(0, this.device.createBindGroup({
        layout: this.facePipeline.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      }));
      pass.draw(6);
    }
    pass.end();
    this.device.queue.submit([enc.finish()]);
    for (const b of temp) b.destroy(); // destruction waits for the submitted work
  }

  /** Draw into an offscreen width × height texture and read it back: RGBA bytes, rows unpadded
   *  (ImageData's layout). Needs a renderer made for 'rgba8unorm'. */
  async renderPixels(photo: GPUTexture, faces: readonly OverlayFace[], style: OverlayStyle, width: number, height: number): Promise<Uint8ClampedArray<ArrayBuffer>> {
    if (this.format !== 'rgba8unorm') throw new Error(`renderPixels needs an rgba8unorm renderer, not ${this.format}`);
    const target = this.device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: RENDER_ATTACHMENT | TEX_COPY_SRC, label: 'overlay-target' });
    this.draw(target, photo, faces, style);
    const bpr = Math.ceil((width * 4) / 256) * 256; // copyTextureToBuffer's row alignment
    const read = this.device.createBuffer({ size: bpr * height, usage: BUF_COPY_DST | MAP_READ, label: 'overlay-readback' });
    const enc = this.device.createCommandEncoder({ label: 'overlay-readback' });
    enc.copyTextureToBuffer({ texture: target }, { buffer: read, bytesPerRow: bpr }, [width, height]);
    this.device.queue.submit([enc.finish()]);
    try {
      await read.mapAsync(MAP_MODE_READ);
      const padded = new Uint8Array(read.getMappedRange());
      const out = new Uint8ClampedArray(width * height * 4);
      for (let y = 0; y < height; y++) out.set(padded.subarray(y * bpr, y * bpr + width * 4), y * width * 4);
      read.unmap();
      return out;
    } finally {
      read.destroy();
      target.destroy();
    }
  }
}
