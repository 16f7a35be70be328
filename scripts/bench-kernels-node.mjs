#!/usr/bin/env node
// `npm run bench:kernels:node`: the kernel benchmark outside the browser, on Node's `webgpu` package (Dawn),
// running the very same cases, kernels and TF.js registration as `tubelet bench kernels`.
// Usage: npm run bench:kernels:node -- [--quick] [--json] [--filter OP] [--shape TEXT] [--adapter swiftshader]
// --filter keeps cases whose op contains OP; --shape those whose shape label contains TEXT (e.g. '256→512').
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
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

const CHROMIUM_LIB = '/usr/lib/chromium';
// A usable system Vulkan needs the loader AND at least one installed driver manifest (ffmpeg alone pulls in the
// loader, libvulkan1, without any driver).
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
const hasSystemVulkan = () => {
  try {
    const loader = execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
    return loader && ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
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
