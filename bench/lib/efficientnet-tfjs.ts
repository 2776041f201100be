// The same EfficientNet in TensorFlow.js ops (NHWC, HWIO weights), for bench/efficientnet.ts:
// built from our layout and our weights (timm names), TF 'same' padding everywhere (so it computes
// exactly what our model with padding 'same' computes), BN with running statistics (eval) or batch
// moments (train), swish as x·σ(x), squeeze-excite as mean → matmul → swish → matmul → σ → scale.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HostTensor } from '../../src/models/efficientnet/names.ts';
import { layoutOf, type EfficientNetConfig } from '../../src/models/efficientnet/config.ts';

type Tf = typeof import('@tensorflow/tfjs-core');
type T = import('@tensorflow/tfjs-core').Tensor;
type T4 = import('@tensorflow/tfjs-core').Tensor4D;
type V = import('@tensorflow/tfjs-core').Variable;

export interface TfEfficientNet {
  /** x [N, H, W, 3] → pooled features [N, F] */
  forward(x: T4, train: boolean): T;
  /** the trainable variables (BN running statistics are not among them) */
  trainable: V[];
  dispose(): void;
}

let gradientsRegistered = false;

/** tfjs-core's Node build registers no gradient functions (the tfjs umbrella package, not installed,
 *  does), and its ESM files cannot be imported by Node (directory imports). Bundle
 *  register_all_gradients with esbuild and load it: the registry and the engine are process
 *  globals, so the bundled copy registers into the tf we use. */
export async function registerTfGradients(): Promise<void> {
  if (gradientsRegistered) return;
  const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const code = buildSync({ entryPoints: [entry], bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'error' }).outputFiles[0].text;
  const dir = mkdtempSync(join(tmpdir(), 'tfjs-grads-'));
  try {
    writeFileSync(join(dir, 'grads.mjs'), code);
    await import(pathToFileURL(join(dir, 'grads.mjs')).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  gradientsRegistered = true;
}

export function tfEfficientNet(tf: Tf, cfg: EfficientNetConfig, weights: ReadonlyMap<string, HostTensor>): TfEfficientNet {
  const L = layoutOf(cfg);
  const vars = new Map<string, V>();
  const consts = new Map<string, T>();
  const host = (name: string) => {
    const t = weights.get(name);
    if (!t) throw new Error(`tfEfficientNet: no weight ${name}`);
    return tf.tensor(t.data as Float32Array, [...t.shape]);
  };
  /** conv [O, I, k, k] → HWIO, depthwise [C, 1, k, k] → [k, k, C, 1], 1×1 with bias (SE) → matmul [I, O] */
  const param = (name: string, perm: number[] | null, squeeze = false) => {
    const raw = host(name);
    let t = perm ? tf.transpose(raw, perm) : raw;
    if (squeeze) t = tf.reshape(t, [t.shape[2] as number, t.shape[3] as number]);
    vars.set(name, tf.variable(t, true, name));
    if (t !== raw) raw.dispose();
    t.dispose();
  };
  const conv = (n: string) => param(`${n}.weight`, [2, 3, 1, 0]);
  const dw = (n: string) => param(`${n}.weight`, [2, 3, 0, 1]);
  const fc = (n: string) => {
    param(`${n}.weight`, [2, 3, 1, 0], true);
    param(`${n}.bias`, null);
  };
  const bn = (n: string) => {
    param(`${n}.weight`, null);
    param(`${n}.bias`, null);
    consts.set(`${n}.running_mean`, host(`${n}.running_mean`));
    consts.set(`${n}.running_var`, host(`${n}.running_var`));
  };
  conv('conv_stem');
  bn('bn1');
  for (const b of L.stages.flat()) {
    const p = `blocks.${b.stage}.${b.index}`;
    if (b.expand !== 1) {
      conv(`${p}.conv_pw`);
      bn(`${p}.bn1`);
      dw(`${p}.conv_dw`);
      bn(`${p}.bn2`);
      conv(`${p}.conv_pwl`);
      bn(`${p}.bn3`);
    } else {
      dw(`${p}.conv_dw`);
      bn(`${p}.bn1`);
      conv(`${p}.conv_pw`);
      bn(`${p}.bn2`);
    }
    fc(`${p}.se.conv_reduce`);
    fc(`${p}.se.conv_expand`);
  }
  conv('conv_head');
  bn('bn2');

  const v = (n: string) => vars.get(n)!;
  const swish = (x: T) => tf.mul(x, tf.sigmoid(x));
  const norm = (x: T4, n: string, train: boolean): T4 => {
    if (!train) return tf.batchNorm(x, consts.get(`${n}.running_mean`)!, consts.get(`${n}.running_var`)!, v(`${n}.bias`), v(`${n}.weight`), cfg.bnEps) as T4;
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    return tf.batchNorm(x, mean, variance, v(`${n}.bias`), v(`${n}.weight`), cfg.bnEps) as T4;
  };
  const se = (x: T4, p: string): T4 => {
    const [N, , , C] = x.shape;
    let s: T = tf.mean(x, [1, 2]);
    s = swish(tf.add(tf.matMul(s, v(`${p}.se.conv_reduce.weight`)), v(`${p}.se.conv_reduce.bias`)));
    s = tf.sigmoid(tf.add(tf.matMul(s, v(`${p}.se.conv_expand.weight`)), v(`${p}.se.conv_expand.bias`)));
    return tf.mul(x, tf.reshape(s, [N, 1, 1, C])) as T4;
  };
  const conv2d = (x: T4, n: string, stride = 1) => tf.conv2d(x, v(`${n}.weight`) as T4, stride, 'same');
  const dwconv = (x: T4, n: string, stride: number) => tf.depthwiseConv2d(x, v(`${n}.weight`) as T4, stride, 'same');

  return {
    trainable: [...vars.values()],
    forward(x, train) {
      let h = swish(norm(conv2d(x, 'conv_stem', 2), 'bn1', train)) as T4;
      for (const b of L.stages.flat()) {
        const p = `blocks.${b.stage}.${b.index}`;
        let y: T4;
        if (b.expand !== 1) {
          y = swish(norm(conv2d(h, `${p}.conv_pw`), `${p}.bn1`, train)) as T4;
          y = swish(norm(dwconv(y, `${p}.conv_dw`, b.stride), `${p}.bn2`, train)) as T4;
          y = norm(conv2d(se(y, p), `${p}.conv_pwl`), `${p}.bn3`, train);
        } else {
          y = swish(norm(dwconv(h, `${p}.conv_dw`, b.stride), `${p}.bn1`, train)) as T4;
          y = norm(conv2d(se(y, p), `${p}.conv_pw`), `${p}.bn2`, train);
        }
        h = b.skip ? tf.add(y, h) : y;
      }
      h = swish(norm(conv2d(h, 'conv_head'), 'bn2', train)) as T4;
      return tf.mean(h, [1, 2]);
    },
    dispose() {
      for (const t of vars.values()) t.dispose();
      for (const t of consts.values()) t.dispose();
    },
  };
}
