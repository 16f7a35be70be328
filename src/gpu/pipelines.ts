// Compute-pipeline cache keyed by device and a kernel key, so each WGSL variant compiles once per device.
// Runs wherever a GPUDevice lives (compute worker, GPU tests, Node benchmarks).

const caches = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();

export interface PipelineSpec {
  /** Unique per WGSL source and override constants; also the pipeline's label. */
  readonly key: string;
  readonly code: string;
  readonly entryPoint?: string;
  readonly constants?: Record<string, number>;
}

export function getPipeline(device: GPUDevice, spec: PipelineSpec): GPUComputePipeline {
  let cache = caches.get(device);
  if (!cache) {
    cache = new Map();
    caches.set(device, cache);
  }
  const hit = cache.get(spec.key);
  if (hit) return hit;
  const module = device.createShaderModule({ label: spec.key, code: spec.code });
  const pipeline = device.createComputePipeline({
    label: spec.key,
    layout: 'auto',
    compute: {
      module,
      entryPoint: spec.entryPoint ?? 'main',
      ...(spec.constants ? { constants: spec.constants } : {}),
    },
  });
  cache.set(spec.key, pipeline);
  return pipeline;
}
