// EfficientNet on the GPU, beyond the PyTorch golden test: timm's seeded initialisation, the
// zero-γ option (residual blocks start as the identity), stage outputs and strides, drop-connect
// per sample, and a training step that leaks no GPU memory.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setupGpu } from '../helpers/harness.ts';
import { EfficientNet, efficientNetConfig, layoutOf } from '../../src/models/index.ts';
import { getGpu } from '../../src/gpu/device.ts';
import { SGD } from '../../src/nn/optim/sgd.ts';
import { mul } from '../../src/ops/elementwise.ts';
import { sum } from '../../src/ops/reduce.ts';
import { randn } from '../../src/tensor/create.ts';
import { Rng } from '../../src/tensor/random.ts';
import { tidy } from '../../src/tensor/scope.ts';
import { noGrad } from '../../src/tensor/tape.ts';

const SMALL = { variant: 'custom' as const, width: 0.25, depth: 0.34, resolution: 32, dropout: 0, padding: 'symmetric' as const, dropConnect: 0, bnEps: 1e-3, bnMomentum: 0.1, numClasses: 0 };

function std(a: Float32Array): number {
  let m = 0;
  for (const v of a) m += v;
  m /= a.length;
  let s = 0;
  for (const v of a) s += (v - m) ** 2;
  return Math.sqrt(s / a.length);
}

describe('EfficientNet', () => {
  before(setupGpu);

  it("initialises as timm does (N(0, √(2/fan_out)), fan_out = k²·Cout/groups; BN 1/0; SE bias 0), seeded", async () => {
    const a = new EfficientNet('b0', { seed: 3 });
    const b = new EfficientNet('b0', { seed: 3 });
    const c = new EfficientNet('b0', { seed: 4 });
    const w = async (m: EfficientNet, name: string) => m.stateDict().get(name)!.readF32();
    for (const [name, fanOut] of [['conv_head.weight', 1280], ['blocks.1.0.conv_dw.weight', 9], ['blocks.5.0.conv_pw.weight', 672], ['conv_stem.weight', 9 * 32]] as const) {
      const s = std(await w(a, name));
      assert.ok(Math.abs(s / Math.sqrt(2 / fanOut) - 1) < 0.05, `${name}: std ${s} vs ${Math.sqrt(2 / fanOut)}`);
    }
    assert.deepEqual(await w(a, 'blocks.3.1.conv_pwl.weight'), await w(b, 'blocks.3.1.conv_pwl.weight'));
    assert.notDeepEqual(await w(a, 'blocks.3.1.conv_pwl.weight'), await w(c, 'blocks.3.1.conv_pwl.weight'));
    assert.ok((await w(a, 'blocks.2.0.bn2.weight')).every((v) => v === 1));
    assert.ok((await w(a, 'blocks.2.0.bn2.running_var')).every((v) => v === 1));
    assert.ok((await w(a, 'blocks.2.0.se.conv_expand.bias')).every((v) => v === 0));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('returns the pooled feature and every stage at strides 2…32 (B0, 2×3×64×64)', async () => {
    const m = new EfficientNet('b0', { seed: 1 }).eval();
    const x = randn([2, 3, 64, 64], { rng: new Rng(2) });
    const { features, stages } = noGrad(() => m.forwardStages(x));
    assert.deepEqual(stages.map((s) => [...s.shape]), [
      [2, 16, 32, 32], [2, 24, 16, 16], [2, 40, 8, 8], [2, 80, 4, 4], [2, 112, 4, 4], [2, 192, 2, 2], [2, 320, 2, 2],
    ]);
    assert.deepEqual([...features.shape], [2, 1280]);
    const plain = noGrad(() => m.forward(x));
    assert.deepEqual(await plain.readF32(), await features.readF32());
    assert.ok((await features.readF32()).every(Number.isFinite));
    assert.deepEqual(['b1', 'b2', 'b3', 'b4'].map((v) => layoutOf(efficientNetConfig(v as 'b1')).head), [1280, 1408, 1536, 1792]);
    [x, features, plain, ...stages].forEach((t) => t.dispose());
    m.dispose();
  });

  it('zeroInitLastBn makes every residual block the identity at init', async () => {
    const m = new EfficientNet(SMALL, { seed: 5, zeroInitLastBn: true }).eval();
    const blocks = m.blockList();
    assert.ok(blocks.some((b) => b.spec.skip) && blocks.some((b) => !b.spec.skip));
    for (const b of blocks) {
      const gamma = await b.lastBn().weight.readF32();
      assert.equal(gamma.every((v) => v === 0), b.spec.skip, `block ${b.spec.stage}.${b.spec.index}`);
      if (!b.spec.skip) continue;
      const x = randn([2, b.spec.inChannels, 8, 8], { rng: new Rng(b.spec.flat) });
      const y = noGrad(() => b.forward(x));
      assert.deepEqual(await y.readF32(), await x.readF32());
      [x, y].forEach((t) => t.dispose());
    }
    m.dispose();
  });

  it('drop-connect drops whole samples of a residual branch in training, never in eval', async () => {
    const m = new EfficientNet({ ...SMALL, dropConnect: 0.9 }, { seed: 6, zeroInitLastBn: false });
    const block = m.blockList().filter((b) => b.spec.skip).at(-1)!;
    assert.ok(block.spec.dropRate > 0.5);
    const x = randn([4, block.spec.inChannels, 6, 6], { rng: new Rng(9) });
    const hx = await x.readF32();
    const per = hx.length / 4;
    let dropped = 0, kept = 0;
    for (let call = 0; call < 3; call++) {
      const y = noGrad(() => block.train().forward(x));
      const hy = await y.readF32();
      for (let n = 0; n < 4; n++) {
        const same = hy.subarray(n * per, (n + 1) * per).every((v, i) => v === hx[n * per + i]);
        same ? dropped++ : kept++;
      }
      y.dispose();
    }
    assert.ok(dropped > 0 && kept > 0, `dropped ${dropped}, kept ${kept}`);
    const e = noGrad(() => block.eval().forward(x));
    const he = await e.readF32();
    for (let n = 0; n < 4; n++) assert.ok(!he.subarray(n * per, (n + 1) * per).every((v, i) => v === hx[n * per + i]), `eval sample ${n} unchanged`);
    [x, e].forEach((t) => t.dispose());
    m.dispose();
  });

  it('a training step keeps live GPU memory flat', async () => {
    const m = new EfficientNet({ ...SMALL, dropConnect: 0.2 }, { seed: 7 });
    const opt = new SGD(m.namedParameters(), { lr: 0.01, momentum: 0.9 });
    const x = randn([2, 3, 32, 32], { rng: new Rng(1) });
    const r = randn([2, m.numFeatures], { rng: new Rng(2) });
    const live: number[] = [];
    for (let i = 0; i < 3; i++) {
      const loss = tidy(() => sum(mul(m.forward(x), r)));
      loss.backward();
      loss.dispose();
      opt.step();
      opt.zeroGrad();
      await getGpu().sync();
      live.push(getGpu().pool.stats().liveBytes);
    }
    assert.equal(live[2], live[1], `live bytes ${live.join(', ')}`);
    [x, r].forEach((t) => t.dispose());
    opt.dispose();
    m.dispose();
  });
});
