// Sole owner of the WebGPU adapter and device (compute worker; also GPU tests in a page).
// Asks for the adapter's maximum limits and the optional features it has; reports loss and uncaptured errors.
import { TubeletError, type SerializedError } from '../shared/errors.ts';
import type { GpuInfo, SystemEvent } from '../shared/protocol.ts';
import { WEBGPU_HINT } from '../shared/webgpuHelp.ts';

/** Limits we raise to the adapter's maximum (the WebGPU defaults are far below what video models need). */
const RAISED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxStorageBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxBindGroups',
] as const;

/** Limits reported to the UI and the CLI. */
const REPORTED_LIMITS = [
  ...RAISED_LIMITS,
  'maxUniformBufferBindingSize',
  'minStorageBufferOffsetAlignment',
] as const;

/** Optional features we enable when the adapter has them. */
const WANTED_FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'subgroups', 'shader-f16'];

export interface GpuContext {
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly info: GpuInfo;
}

let current: Promise<GpuContext> | null = null;
const listeners = new Set<(event: SystemEvent) => void>();

/** Subscribes to device loss and uncaptured GPU errors. Returns an unsubscribe function. */
export function onGpuEvent(listener: (event: SystemEvent) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function emit(event: SystemEvent): void {
  for (const listener of listeners) listener(event);
}

function gpuErrorToSerialized(error: GPUError): SerializedError {
  if (error instanceof GPUOutOfMemoryError) {
    return {
      code: 'GPU_OUT_OF_MEMORY',
      message: `The GPU ran out of memory: ${error.message}`,
      hint: 'Use a smaller batch, clip length or crop size.',
    };
  }
  if (error instanceof GPUValidationError) {
    return { code: 'GPU_VALIDATION', message: `WebGPU validation error: ${error.message}` };
  }
  return { code: 'GPU_INTERNAL', message: `WebGPU internal error: ${error.message}` };
}

function describe(adapter: GPUAdapter, device: GPUDevice): GpuInfo {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of REPORTED_LIMITS) limits[name] = device.limits[name];
  const sub = info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter,
    subgroupMinSize: sub.subgroupMinSize ?? null,
    subgroupMaxSize: sub.subgroupMaxSize ?? null,
    features: [...device.features].sort(),
    limits,
  };
}

async function create(): Promise<GpuContext> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new TubeletError(
      'WEBGPU_UNAVAILABLE',
      'This browser does not expose WebGPU (navigator.gpu is missing).',
      {
        hint: WEBGPU_HINT,
      },
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new TubeletError('ADAPTER_NOT_FOUND', 'WebGPU is present but no GPU adapter was found.', {
      hint: WEBGPU_HINT,
    });
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: 'tubelet', requiredLimits, requiredFeatures });
  } catch (cause) {
    throw new TubeletError(
      'DEVICE_REQUEST_FAILED',
      `The adapter refused to create a device: ${String(cause)}`,
      {
        hint: 'Close other GPU-heavy tabs and reload; if it persists, restart the browser.',
        cause,
      },
    );
  }
  device.addEventListener('uncapturederror', (event) => {
    emit({ type: 'gpu-error', error: gpuErrorToSerialized(event.error) });
  });
  void device.lost.then((lost) => {
    current = null;
    if (lost.reason === 'destroyed') return;
    emit({
      type: 'device-lost',
      error: {
        code: 'DEVICE_LOST',
        message: `The GPU device was lost: ${lost.message || 'unknown reason'}`,
        hint: 'Running work has stopped. Reload the page to create a new device; saved checkpoints are kept.',
      },
    });
  });
  return { adapter, device, info: describe(adapter, device) };
}

/** The one GPU context of this thread, created on first use. A failed or lost device is re-created next call. */
export function acquireGpu(): Promise<GpuContext> {
  if (!current) {
    current = create();
    current.catch(() => {
      current = null;
    });
  }
  return current;
}

/** Destroys the device (tests, or after a loss the caller wants to recover from). */
export async function releaseGpu(): Promise<void> {
  const pending = current;
  current = null;
  if (pending) (await pending.catch(() => null))?.device.destroy();
}
