// Sole owner of the WebGPU adapter and device (compute worker; also GPU tests in a page).
// Asks for the adapter's maximum limits and the optional features it has; reports loss and uncaptured errors.
// A device lost for any reason but our own release (a driver reset, or `loseGpuDevice` in tests) is reported
// once as `device-lost` and through `GpuContext.lost`; the next acquireGpu() creates a fresh device and says so.
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
  /** Settles with the DEVICE_LOST error when this device is lost; never when it is released on purpose. */
  readonly lost: Promise<SerializedError>;
}

let current: Promise<GpuContext> | null = null;
/** The device `current` resolved to (cleared when it is lost or released). */
let currentDevice: GPUDevice | null = null;
/** Devices destroyed on purpose by releaseGpu (their loss is not an error). */
const released = new WeakSet<GPUDevice>();
/** A device was lost and no new one has been created since. */
let lostSinceCreate = false;
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
  const lost = device.lost.then((info): SerializedError | Promise<never> => {
    if (currentDevice === device) {
      current = null;
      currentDevice = null;
    }
    if (released.has(device)) return new Promise<never>(() => undefined); // our own release: not an error
    lostSinceCreate = true;
    const error: SerializedError = {
      code: 'DEVICE_LOST',
      message: `The GPU device was lost (${info.reason}): ${info.message || 'no reason given'}`,
      hint: 'Running work has stopped; the next job creates a new device. Resume stopped training runs from their last checkpoint; saved datasets and checkpoints are kept.',
    };
    emit({ type: 'device-lost', error });
    return error;
  });
  const context: GpuContext = { adapter, device, info: describe(adapter, device), lost };
  currentDevice = device;
  if (lostSinceCreate) {
    lostSinceCreate = false;
    emit({ type: 'device-restored', gpu: context.info });
  }
  return context;
}

/** The one GPU context of this thread, created on first use. A failed or lost device is re-created next call. */
export function acquireGpu(): Promise<GpuContext> {
  if (!current) {
    const pending = create();
    current = pending;
    pending.catch(() => {
      if (current === pending) current = null;
    });
  }
  return current;
}

/** Destroys the device on purpose (tests, shutdown): no device-lost event. */
export async function releaseGpu(): Promise<void> {
  const pending = current;
  current = null;
  currentDevice = null;
  const gpu = pending ? await pending.catch(() => null) : null;
  if (gpu) {
    released.add(gpu.device);
    gpu.device.destroy();
  }
}

/**
 * Loses the current device as a driver reset would (diagnostics and end-to-end tests): destroy() without
 * marking it released, so the loss is reported like any other. Resolves with the DEVICE_LOST error; false when
 * no device exists yet.
 */
export async function loseGpuDevice(): Promise<SerializedError | false> {
  const gpu = current ? await current.catch(() => null) : null;
  if (!gpu) return false;
  gpu.device.destroy();
  return gpu.lost;
}
