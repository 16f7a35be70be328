#!/usr/bin/env node
// `npm run bench:kernels:node`: the kernel benchmark outside the browser, on Node's `webgpu` package (Dawn),
// running the very same cases, kernels and TF.js registration as `tubelet bench kernels`.
// Usage: npm run bench:kernels:node -- [--quick] [--json] [--filter OP] [--adapter swiftshader]
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    filter: { type: 'string' },
    adapter: { type: 'string', default: 'auto' },
  },
});

const CHROMIUM_LIB = '/usr/lib/chromium';
const hasSystemVulkan = () => {
  try {
    return execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
  } catch {
    return false;
  }
};

// Dawn loads libvulkan when the process starts using WebGPU; the loader path must be in place before start,
// so set it up and re-run this script once.
if (!process.env.TUBELET_NODE_GPU_ENV) {
  const env = { ...process.env, TUBELET_NODE_GPU_ENV: '1' };
  const software = values.adapter === 'swiftshader' || !hasSystemVulkan();
  if (software) {
    if (!existsSync(`${CHROMIUM_LIB}/vk_swiftshader_icd.json`)) {
      console.error(
        'bench: no Vulkan driver found and no Chromium SwiftShader to fall back to (apt-get install chromium).',
      );
      process.exit(1);
    }
    env.LD_LIBRARY_PATH = [CHROMIUM_LIB, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    env.VK_ICD_FILENAMES = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
  }
  const child = spawnSync(process.execPath, process.argv.slice(1), { env, stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

const { installNodeWebGpu } = await import('./node-webgpu.mjs');
await installNodeWebGpu();
const { acquireGpu } = await import('../src/gpu/device.ts');
const { initTf, gpuSync, withFlags } = await import('../src/models/tf.ts');
const { kernelBenchCases } = await import('../src/bench/cases.ts');
const { runBench } = await import('../src/bench/harness.ts');
const { formatBench } = await import('../cli/commands/bench.ts');

const gpu = await acquireGpu();
await initTf(gpu.device, gpu.adapter.info);
const cases = kernelBenchCases({ hardware: !gpu.info.isFallbackAdapter, quick: values.quick }).filter(
  (c) => values.filter === undefined || c.op.includes(values.filter),
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
