#!/usr/bin/env node
// `npm run bench:gpu`: our WebGPU kernels and an r3d_18 training step (Node + `webgpu`/Dawn) against PyTorch on
// the same machine (scripts/gpu-bench-torch.py: cuDNN on CUDA, FP32, TF32 off; the CPU where there is no GPU).
// Prints the ratio table (torch ms ÷ ours ms: above 1 means we are faster) and the training step's peak tensor
// bytes next to the Finetune panel's estimate.
// Usage: npm run bench:gpu -- [--scale full|ci] [--python PATH] [--device cuda|cpu] [--reps N] [--json]
//        [--adapter swiftshader]
// --scale full (the default on a hardware adapter): R3D-18 layers at batch 8 16×112², attention at 1×12×{197,1568}×64,
// the training step at batch 8 16×112²; ci (the default on a software adapter): the same code paths at small shapes.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    scale: { type: 'string' },
    python: { type: 'string', default: '/usr/bin/python3' },
    device: { type: 'string' },
    reps: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
    adapter: { type: 'string', default: 'auto' },
  },
});
if (values.scale !== undefined && values.scale !== 'full' && values.scale !== 'ci') {
  console.error(`bench:gpu: --scale must be full or ci, got '${values.scale}'`);
  process.exit(2);
}
const reps = Number(values.reps);
if (!Number.isInteger(reps) || reps < 1) {
  console.error(`bench:gpu: --reps must be a positive integer, got '${values.reps}'`);
  process.exit(2);
}

const { installNodeWebGpu, reexecWithGpuEnv } = await import('./node-webgpu.mjs');
reexecWithGpuEnv(values.adapter, 'bench:gpu');
await installNodeWebGpu();
const { acquireGpu } = await import('../src/gpu/device.ts');
const { initTf, gpuSync, withFlags, tf } = await import('../src/models/tf.ts');
const { Autotuner, adapterKey } = await import('../src/gpu/autotune.ts');
const { installConv3dAutotuner } = await import('../src/models/ops/conv3dAutotune.ts');
const { gpuBenchCases, gpuBenchShapes, trainStepShape } = await import('../src/bench/gpuBench.ts');
const { runBench, timeRuns } = await import('../src/bench/harness.ts');
const { r3dTrainStep } = await import('../src/train/stepBench.ts');

const gpu = await acquireGpu();
await initTf(gpu.device, gpu.adapter.info);
installConv3dAutotuner(new Autotuner(gpu.device, adapterKey(gpu.info), null), gpu.device); // no store in Node
const scale = values.scale ?? (gpu.info.isFallbackAdapter ? 'ci' : 'full');
const shapes = gpuBenchShapes(scale);
const options = {
  warmup: 1,
  reps,
  sync: gpuSync,
  onCase: (i, n, label) => {
    if (i < n) console.error(`  webgpu [${i + 1}/${n}] ${label}`);
  },
};

const kernels = await withFlags({ WEBGPU_CPU_FORWARD: false }, () =>
  runBench(gpuBenchCases(shapes), options),
);
console.error(`  webgpu r3d_18 training step ${trainStepShape(shapes.step)}`);
const bench = r3dTrainStep(...shapes.step);
let step;
try {
  const ms = await timeRuns(bench.step, options);
  const profile = await tf.profile(bench.step);
  step = { ms, peak_bytes: profile.peakBytes, estimate_bytes: bench.estimateBytes };
} finally {
  bench.dispose();
}

console.error(`  torch (${values.python} scripts/gpu-bench-torch.py --scale ${scale})`);
const torchArgs = ['scripts/gpu-bench-torch.py', '--scale', scale, '--reps', String(reps)];
if (values.device) torchArgs.push('--device', values.device);
const py = spawnSync(values.python, torchArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (py.status !== 0) {
  console.error(
    `bench:gpu: the PyTorch side failed (exit ${py.status}); is torch installed for ${values.python}?`,
  );
  process.exit(1);
}
const torch = JSON.parse(py.stdout);
const torchMs = new Map(torch.rows.map((r) => [`${r.op}|${r.shape}`, r.ms]));

const rows = kernels.map((r) => {
  const t = torchMs.get(`${r.op}|${r.shape}`) ?? null;
  return {
    op: r.op,
    shape: r.shape,
    ours_ms: r.ours_ms,
    tfjs_ms: r.stock_ms,
    torch_ms: t,
    torch_over_ours: t === null ? null : t / r.ours_ms,
    max_err: r.max_err,
  };
});
const stepShape = trainStepShape(shapes.step);
rows.push({
  op: 'r3d_18_train_step',
  shape: stepShape,
  ours_ms: step.ms,
  tfjs_ms: null,
  torch_ms: torch.step.ms,
  torch_over_ours: torch.step.ms / step.ms,
  max_err: null,
});
const report = {
  date: new Date().toISOString(),
  scale,
  adapter: gpu.info,
  torch: { device: torch.device, version: torch.torch, attention: torch.attention_impl },
  rows,
  memory: {
    shape: stepShape,
    ours_peak_bytes: step.peak_bytes,
    estimate_bytes: step.estimate_bytes,
    estimate_over_peak: step.estimate_bytes / step.peak_bytes,
    torch_peak_bytes: torch.step.peak_bytes,
  },
};

const f = (x, digits = 3) => (x === null || x === undefined ? '–' : Number(x).toPrecision(digits));
const mib = (b) => (b === null || b === undefined ? '–' : `${(b / 2 ** 20).toFixed(1)} MiB`);
if (values.json) console.log(JSON.stringify(report));
else {
  const a = gpu.info;
  console.log(
    `WebGPU: ${a.vendor} ${a.architecture} ${a.description}${a.isFallbackAdapter ? ' (software)' : ''}`,
  );
  console.log(
    `PyTorch ${torch.torch} on ${torch.device}, attention: ${torch.attention_impl}; scale ${scale}`,
  );
  console.log('');
  console.log('| op | shape | ours ms | TF.js ms | torch ms | torch ÷ ours | max err |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows)
    console.log(
      `| ${r.op} | ${r.shape} | ${f(r.ours_ms, 4)} | ${f(r.tfjs_ms, 4)} | ${f(r.torch_ms, 4)} | ` +
        `${r.torch_over_ours === null ? '–' : `${r.torch_over_ours.toFixed(2)}×`} | ${f(r.max_err, 2)} |`,
    );
  const m = report.memory;
  console.log('');
  console.log(
    `r3d_18 step ${m.shape}: peak tensor bytes ${mib(m.ours_peak_bytes)}, Finetune estimate ${mib(m.estimate_bytes)} ` +
      `(estimate ÷ peak ${m.estimate_over_peak.toFixed(2)}), torch peak CUDA ${mib(m.torch_peak_bytes)}`,
  );
}
process.exit(0);
