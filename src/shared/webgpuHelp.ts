// What a user needs for WebGPU, worded once for the UI, the worker's errors and the CLI. Any thread.

export const SOFTWARE_WEBGPU_FLAGS = '--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader';

export const WEBGPU_HINT =
  'Use a Chromium-based browser with WebGPU (Chrome or Edge 113+). On Linux without a GPU start Chromium with ' +
  `${SOFTWARE_WEBGPU_FLAGS} (the tubelet CLI does this for you).`;
