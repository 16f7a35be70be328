// Registers the Node hooks (tsx for TypeScript, ?raw for WGSL) and gives Node a WebGPU `navigator.gpu` from the
// `webgpu` package (Dawn). Without a GPU, point it at Chromium's SwiftShader Vulkan driver.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const CHROMIUM_LIB = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_LIB}/vk_swiftshader_icd.json`;
// A usable system Vulkan needs the loader AND at least one installed driver manifest (ffmpeg alone pulls in the
// loader, libvulkan1, without any driver).
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasSystemVulkan() {
  try {
    const loader = execSync('ldconfig -p', { encoding: 'utf8' }).includes('libvulkan.so.1');
    return loader && ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => f.endsWith('.json')));
  } catch {
    return false;
  }
}

/**
 * Dawn loads libvulkan when the process starts using WebGPU, so the loader path must be in place before start:
 * the first call re-runs this script once with it set (Chromium's SwiftShader when `adapter` is 'swiftshader' or
 * the system has no Vulkan driver) and exits with the child's status; in the child it returns.
 */
export function reexecWithGpuEnv(adapter, tool) {
  if (process.env.TUBELET_NODE_GPU_ENV) return;
  const env = { ...process.env, TUBELET_NODE_GPU_ENV: '1' };
  if (adapter === 'swiftshader' || !hasSystemVulkan()) {
    if (!existsSync(SWIFTSHADER_ICD)) {
      console.error(
        `${tool}: no Vulkan driver found and no Chromium SwiftShader to fall back to (apt-get install chromium).`,
      );
      process.exit(1);
    }
    env.LD_LIBRARY_PATH = [CHROMIUM_LIB, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const child = spawnSync(process.execPath, process.argv.slice(1), { env, stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

/** Call before importing `webgpu`: Dawn reads these when it loads Vulkan. */
export function prepareVulkanEnv(env = process.env) {
  if (env.TUBELET_ADAPTER === 'swiftshader' && existsSync(SWIFTSHADER_ICD)) {
    env.VK_ICD_FILENAMES ??= SWIFTSHADER_ICD;
  }
}

export async function installNodeWebGpu() {
  register('./wgsl-loader.mjs', import.meta.url);
  registerTsx();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, userAgent: `Node.js ${process.version}` },
    configurable: true,
  });
  return gpu;
}
