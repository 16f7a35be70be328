#!/usr/bin/env node
// `npm run bench:kernels:node`: the kernel benchmark outside the browser, on Node's `webgpu` package (Dawn),
// running the very same cases, kernels and TF.js registration as `tubelet bench kernels`.
// Usage: npm run bench:kernels:node -- [--quick] [--json] [--filter OP] [--shape TEXT] [--adapter swiftshader]
// --filter keeps cases whose op contains OP; --shape those whose shape label contains TEXT (e.g. '256→512').
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    filter: { type: 'string' },
    shape: { type: 'string' },
    adapter: { type: 'string', default: 'auto' },
  },
});

const { installNodeWebGpu, reexecWithGpuEnv } = await import('./node-webgpu.mjs');
reexecWithGpuEnv(values.adapter, 'bench');
await installNodeWebGpu();
const { acquireGpu } = await import('../src/gpu/device.ts');
const { initTf, gpuSync, withFlags } = await import('../src/models/tf.ts');
const { kernelBenchCases } = await import('../src/bench/cases.ts');
const { runBench } = await import('../src/bench/harness.ts');
const { formatBench } = await import('../cli/commands/bench.ts');

const gpu = await acquireGpu();
await initTf(gpu.device, gpu.adapter.info);
const { Autotuner, adapterKey } = await import('../src/gpu/autotune.ts');
const { installConv3dAutotuner } = await import('../src/models/ops/conv3dAutotune.ts');
installConv3dAutotuner(new Autotuner(gpu.device, adapterKey(gpu.info), null), gpu.device); // no store in Node
const cases = kernelBenchCases({ hardware: !gpu.info.isFallbackAdapter, quick: values.quick }).filter(
  (c) =>
    (values.filter === undefined || c.op.includes(values.filter)) &&
    (values.shape === undefined || c.shape.includes(values.shape)),
);
const rows = await withFlags({ WEBGPU_CPU_FORWARD: false }, () =>
  runBench(cases, {
    warmup: 1,
    reps: values.quick ? 2 : 5,
    sync: gpuSync,
    onCase: (i, n, label) => {
      if (i < n) console.error(`  [${i + 1}/${n}] ${label}`);
    },
  }),
);
const report = { adapter: gpu.info, date: new Date().toISOString(), quick: values.quick, rows };
console.log(
  values.json
    ? JSON.stringify(rows)
    : `Runtime: Node ${process.version} + webgpu (Dawn)\n${formatBench(report)}`,
);
process.exit(0);
