// Worker protocol types: the GPU, codecs, storage, self-test and device jobs.
// Both threads import them (types and plain constants only), through ../protocol.ts, which adds the job unions
// and the WorkerApi.

/** What the GPU device module learned about the adapter and the device it created. */
export interface GpuInfo {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly isFallbackAdapter: boolean;
  readonly subgroupMinSize: number | null;
  readonly subgroupMaxSize: number | null;
  /** Optional features the adapter has and the device enabled (timestamp-query, subgroups, shader-f16 …). */
  readonly features: readonly string[];
  /** Device limits as granted (we ask for the adapter's maxima). */
  readonly limits: Readonly<Record<string, number>>;
}

export const PROBED_CODECS = [
  { name: 'avc1', label: 'H.264 (avc1)', codec: 'avc1.42E01E' },
  { name: 'vp8', label: 'VP8', codec: 'vp8' },
  { name: 'vp9', label: 'VP9', codec: 'vp09.00.10.08' },
  { name: 'av1', label: 'AV1', codec: 'av01.0.04M.08' },
  { name: 'hevc', label: 'HEVC (hvc1)', codec: 'hvc1.1.6.L93.B0' },
] as const;

export type CodecName = (typeof PROBED_CODECS)[number]['name'];

export interface CodecSupport {
  readonly name: CodecName;
  readonly codec: string;
  readonly decode: boolean;
  readonly encode: boolean;
}

export interface StorageInfo {
  readonly usageBytes: number | null;
  readonly quotaBytes: number | null;
  readonly persisted: boolean | null;
}

export interface InitResult {
  readonly gpu: GpuInfo;
  readonly tf: { readonly version: string; readonly backend: string; readonly sharesDevice: boolean };
}

export interface DoctorReport extends InitResult {
  readonly userAgent: string;
  readonly codecs: readonly CodecSupport[];
  readonly storage: StorageInfo;
  readonly crossOriginIsolated: boolean;
}

export interface SelfTestSpec {
  readonly kind: 'selftest';
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly seed: number;
}

export interface SelfTestResult {
  readonly ok: boolean;
  readonly kernel: string;
  readonly shape: { readonly m: number; readonly n: number; readonly k: number };
  readonly seed: number;
  /** max |gpu − cpu| over all outputs, and the tolerance it is held to. */
  readonly maxAbsError: number;
  readonly tolerance: number;
  /** The same product through TF.js on the shared device, read from our kernel's buffer without a copy. */
  readonly tfMaxAbsError: number;
  readonly gpuMs: number;
  readonly cpuMs: number;
  /** A few output values, transferred (not copied) across the boundary. */
  readonly sample: Float32Array;
}

/**
 * Loses the GPU device as a driver reset would (`device.destroy()`, reported as a loss): for end-to-end tests
 * and diagnostics of recovery. Running GPU jobs stop with DEVICE_LOST; the next job creates a new device.
 */
export interface LoseDeviceSpec {
  readonly kind: 'lose-device';
}
