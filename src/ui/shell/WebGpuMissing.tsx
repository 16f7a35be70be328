// Shown instead of the studio when WebGPU or a GPU adapter is missing (main thread).
import type { SerializedError } from '../../shared/errors.ts';

import { SOFTWARE_WEBGPU_FLAGS } from '../../shared/webgpuHelp.ts';

export function WebGpuMissing({ error }: { error: SerializedError | null }) {
  return (
    <main className="missing" data-testid="webgpu-missing">
      <h1>Tubelet needs WebGPU</h1>
      <p>
        Tubelet trains and evaluates video models on your GPU through WebGPU, and this browser did not give it
        a GPU adapter{error ? ':' : '.'}
      </p>
      {error ? (
        <p>
          <code>{error.code}</code> {error.message}
        </p>
      ) : null}
      <h2>What you need</h2>
      <ul>
        <li>
          A Chromium-based browser with WebGPU: Chrome or Edge 113 or newer, on Windows, macOS, ChromeOS or
          Android.
        </li>
        <li>
          On Linux with a GPU: start Chrome with <code>--enable-unsafe-webgpu --enable-features=Vulkan</code>.
        </li>
        <li>
          On Linux without a GPU (servers, CI): start Chromium with <code>{SOFTWARE_WEBGPU_FLAGS}</code> —
          slow, but correct — or use the <code>tubelet</code> CLI, which does this for you.
        </li>
        <li>
          Check <code>chrome://gpu</code>: “WebGPU” should read “Hardware accelerated”.
        </li>
      </ul>
    </main>
  );
}
