// Registers the Node hooks (tsx for TypeScript, ?raw for WGSL) and gives Node a WebGPU `navigator.gpu` from the
// `webgpu` package (Dawn). Without a GPU, point it at Chromium's SwiftShader Vulkan driver.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

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
