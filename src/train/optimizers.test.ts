// Optimizers against PyTorch's torch.optim run at test time with Debian's /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../models/tf.ts';
import { Rng } from '../shared/random.ts';
import { isNoDecay, Optimizer, type OptimizerConfig, type Param } from './optimizers.ts';

const PY = '/usr/bin/python3';
const SHAPES: Record<string, number[]> = { 'conv.weight': [4, 3], 'bn.weight': [4], 'fc.bias': [3] };
const STEPS = 5;

const TORCH_SCRIPT = String.raw`
import json, sys, torch
spec = json.loads(sys.stdin.read())
params = {k: torch.tensor(v['data'], dtype=torch.float64).reshape(v['shape']).requires_grad_() for k, v in spec['params'].items()}
decay = [p for k, p in params.items() if k in spec['decay']]
nodecay = [p for k, p in params.items() if k not in spec['decay']]
c = spec['config']
groups = [{'params': decay, 'weight_decay': c['weightDecay']}, {'params': nodecay, 'weight_decay': 0.0}]
if c['kind'] == 'sgd':
    opt = torch.optim.SGD(groups, lr=spec['lr'], momentum=c['momentum'], nesterov=c.get('nesterov', False), dampening=c.get('dampening', 0.0))
else:
    opt = torch.optim.AdamW(groups, lr=spec['lr'], betas=(c['beta1'], c['beta2']), eps=c['eps'])
for step in spec['grads']:
    opt.zero_grad()
    for k, p in params.items():
        p.grad = torch.tensor(step[k], dtype=torch.float64).reshape(p.shape)
    opt.step()
print(json.dumps({k: p.detach().flatten().tolist() for k, p in params.items()}))
`;

function torchAvailable(): void {
  try {
    execFileSync(PY, ['-c', 'import torch'], { stdio: 'pipe' });
  } catch {
    throw new Error(
      `${PY} cannot import torch: install Debian's python3-torch (apt-get install python3-torch)`,
    );
  }
}

function run(
  config: OptimizerConfig,
  lr: number,
): { ours: Record<string, number[]>; torch: Record<string, number[]> } {
  const rng = new Rng(99);
  const init = Object.fromEntries(
    Object.entries(SHAPES).map(([k, s]) => [k, Array.from(rng.float32(s.reduce((a, b) => a * b, 1)))]),
  );
  const grads = Array.from({ length: STEPS }, () =>
    Object.fromEntries(
      Object.entries(SHAPES).map(([k, s]) => [k, Array.from(rng.float32(s.reduce((a, b) => a * b, 1)))]),
    ),
  );
  const params: Param[] = Object.entries(SHAPES).map(([name, shape]) => ({
    name,
    variable: tf.variable(tf.tensor(init[name] ?? [], shape)),
  }));
  const opt = new Optimizer(config, params);
  for (const step of grads) {
    const g = Object.fromEntries(Object.entries(step).map(([k, v]) => [k, tf.tensor(v, SHAPES[k])]));
    opt.apply(g, lr);
    tf.dispose(Object.values(g));
  }
  const ours = Object.fromEntries(params.map((p) => [p.name, Array.from(p.variable.dataSync())]));
  opt.dispose();
  for (const p of params) p.variable.dispose();
  const decay = Object.entries(SHAPES)
    .filter(([k, s]) => !isNoDecay(k, s))
    .map(([k]) => k);
  const spec = {
    config,
    lr,
    decay,
    params: Object.fromEntries(Object.entries(SHAPES).map(([k, s]) => [k, { shape: s, data: init[k] }])),
    grads,
  };
  const out = execFileSync(PY, ['-c', TORCH_SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8' });
  return { ours, torch: JSON.parse(out) as Record<string, number[]> };
}

function expectClose(a: Record<string, number[]>, b: Record<string, number[]>): void {
  for (const [k, v] of Object.entries(b)) {
    const mine = a[k] ?? [];
    expect(mine).toHaveLength(v.length);
    v.forEach((x, i) => expect(Math.abs((mine[i] ?? Number.NaN) - x)).toBeLessThan(2e-6));
  }
}

// each case starts a Python with torch (seconds on a loaded 2-core machine)
describe('optimizers match torch.optim', { timeout: 60_000 }, () => {
  beforeAll(async () => {
    torchAvailable();
    await tf.setBackend('cpu');
  });

  it('SGD with momentum and weight decay (norms and biases excluded)', () => {
    const { ours, torch } = run({ kind: 'sgd', momentum: 0.9, weightDecay: 1e-2 }, 0.1);
    expectClose(ours, torch);
  });

  it('SGD with Nesterov momentum', () => {
    const { ours, torch } = run({ kind: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 5e-4 }, 0.05);
    expectClose(ours, torch);
  });

  it('AdamW with decoupled weight decay', () => {
    const { ours, torch } = run(
      { kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 },
      1e-3,
    );
    expectClose(ours, torch);
  });
});

describe('optimizer details', () => {
  it('excludes norms and biases from weight decay by name and shape', () => {
    expect(isNoDecay('layer1.0.conv1.weight', [3, 3, 3, 64, 64])).toBe(false);
    expect(isNoDecay('layer1.0.bn1.weight', [64])).toBe(true);
    expect(isNoDecay('fc.bias', [10])).toBe(true);
    expect(isNoDecay('blocks.0.norm1.weight', [768])).toBe(true);
  });

  it('scales LARS updates by the trust ratio η·‖p‖ / (‖g‖ + wd·‖p‖)', async () => {
    await tf.setBackend('cpu');
    const p = tf.variable(tf.tensor([3, 4], [1, 2]));
    const opt = new Optimizer(
      { kind: 'lars', momentum: 0, weightDecay: 0.1, trustCoefficient: 0.001, eps: 0 },
      [{ name: 'w', variable: p }],
    );
    opt.apply({ w: tf.tensor([[0, 1]]) }, 1);
    // ‖p‖ = 5, ‖g‖ = 1, ratio = 0.001·5/(1 + 0.5) ; d = (g + 0.1 p)·ratio
    const ratio = 0.005 / 1.5;
    const got = Array.from(p.dataSync());
    expect(got[0]).toBeCloseTo(3 - 0.3 * ratio, 6);
    expect(got[1]).toBeCloseTo(4 - 1.4 * ratio, 6);
    opt.dispose();
    p.dispose();
  });

  it('saves and restores its state so a resumed run continues identically', async () => {
    await tf.setBackend('cpu');
    const make = () => tf.variable(tf.tensor([1, -2, 3]));
    const cfg: OptimizerConfig = { kind: 'adamw', beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.01 };
    const g = tf.tensor([[0.5, -1, 2]]).reshape([3]);
    const a = make();
    const full = new Optimizer(cfg, [{ name: 'conv.weight', variable: a }]);
    for (let i = 0; i < 4; i++) full.apply({ 'conv.weight': g }, 0.1);

    const b = make();
    const first = new Optimizer(cfg, [{ name: 'conv.weight', variable: b }]);
    for (let i = 0; i < 2; i++) first.apply({ 'conv.weight': g }, 0.1);
    const state = structuredClone(await first.getState());
    const resumed = new Optimizer(cfg, [{ name: 'conv.weight', variable: b }]);
    resumed.setState(state);
    for (let i = 0; i < 2; i++) resumed.apply({ 'conv.weight': g }, 0.1);
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(resumed.iterations).toBe(4);
    for (const o of [full, first, resumed]) o.dispose();
    tf.dispose([a, b, g]);
  });
});
