// Tile shapes of the register-blocked GEMM kernels (Conv3D forward, input and filter gradient) and the checks
// that a tile fits a device. Pure; any thread (the device-dependent part reads only `device.limits`/`adapterInfo`).

/**
 * One GEMM tiling: a workgroup computes a tileM×tileN block of C; each invocation a threadM×threadN block
 * (threadM, threadN multiples of 4, held in vec4 registers). tileK is the K-depth staged through workgroup
 * memory per round; tileK = 0 means unstaged: invocations stream A and B straight from storage with no
 * workgroup memory and no barriers (best on CPU-emulated adapters, whose caches play the role of shared memory).
 */
export interface GemmTile {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly threadM: number;
  readonly threadN: number;
}

/** A tile with a split-K factor: slices of the GEMM's reduction, each its own workgroup layer (absent: 1). */
export interface SplitTile extends GemmTile {
  readonly splitK?: number;
}

/** The split-K factor a tile carries (1 when it has none). */
export const tileSplitK = (t: GemmTile): number =>
  'splitK' in t && typeof t.splitK === 'number' ? Math.max(1, Math.floor(t.splitK)) : 1;

/** The device facts tile choice depends on. */
export interface GemmDeviceTraits {
  readonly maxInvocations: number;
  readonly maxWorkgroupBytes: number;
  readonly maxWorkgroupSizeX: number;
  readonly maxWorkgroupSizeY: number;
  /** SwiftShader and other CPU adapters: prefer unstaged tiles. */
  readonly cpuEmulated: boolean;
}

/** WebGPU's default limits: every tile valid here is valid on every WebGPU device. */
export const DEFAULT_GEMM_TRAITS: GemmDeviceTraits = {
  maxInvocations: 256,
  maxWorkgroupBytes: 16384,
  maxWorkgroupSizeX: 256,
  maxWorkgroupSizeY: 256,
  cpuEmulated: false,
};

export function gemmTraits(device: GPUDevice): GemmDeviceTraits {
  const info = (device as Partial<Pick<GPUDevice, 'adapterInfo'>>).adapterInfo; // absent before Chrome 132
  const cpuEmulated =
    info !== undefined &&
    (info.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(info.architecture));
  return {
    maxInvocations: device.limits.maxComputeInvocationsPerWorkgroup,
    maxWorkgroupBytes: device.limits.maxComputeWorkgroupStorageSize,
    maxWorkgroupSizeX: device.limits.maxComputeWorkgroupSizeX,
    maxWorkgroupSizeY: device.limits.maxComputeWorkgroupSizeY,
    cpuEmulated,
  };
}

export const tileThreadsX = (t: GemmTile): number => t.tileN / t.threadN;
export const tileThreadsY = (t: GemmTile): number => t.tileM / t.threadM;
export const tileThreads = (t: GemmTile): number => tileThreadsX(t) * tileThreadsY(t);
/** Workgroup memory of a tile: A and B staging, f32. */
export const tileWorkgroupBytes = (t: GemmTile): number => 4 * t.tileK * (t.tileM + t.tileN);
export const tileKey = (t: GemmTile): string => `${t.tileM}x${t.tileN}x${t.tileK}_${t.threadM}x${t.threadN}`;

/** Why a tile cannot run on a device, or null when it can. */
export function tileProblem(t: GemmTile, traits: GemmDeviceTraits = DEFAULT_GEMM_TRAITS): string | null {
  const fields = [t.tileM, t.tileN, t.tileK, t.threadM, t.threadN];
  if (fields.some((v) => !Number.isInteger(v) || v < 0)) return 'tile sizes must be non-negative integers';
  // Unstaged tiles keep rows in scalar registers, so they may also take 1 or 2 rows per invocation (tiny M).
  const fewRows = t.tileK === 0 && (t.threadM === 1 || t.threadM === 2);
  if ((!fewRows && (t.threadM < 4 || t.threadM % 4 !== 0)) || t.threadN < 4 || t.threadN % 4 !== 0) {
    return 'threadM and threadN must be positive multiples of 4 (threadM may be 1 or 2 when unstaged)';
  }
  if (t.tileM % t.threadM !== 0 || t.tileN % t.threadN !== 0) {
    return 'tileM/tileN must be multiples of threadM/threadN';
  }
  if (t.tileK % 4 !== 0) return 'tileK must be 0 (unstaged) or a multiple of 4';
  if (tileThreads(t) > traits.maxInvocations) {
    return `${tileThreads(t)} invocations exceed the device's ${traits.maxInvocations}`;
  }
  if (tileThreadsX(t) > traits.maxWorkgroupSizeX || tileThreadsY(t) > traits.maxWorkgroupSizeY) {
    return 'workgroup size exceeds the device limit';
  }
  if (tileWorkgroupBytes(t) > traits.maxWorkgroupBytes) {
    return `${tileWorkgroupBytes(t)} bytes of workgroup memory exceed the device's ${traits.maxWorkgroupBytes}`;
  }
  return null;
}

export function assertTile(t: GemmTile, traits: GemmDeviceTraits, kernel: string): void {
  const problem = tileProblem(t, traits);
  if (problem) throw new RangeError(`${kernel}: tile ${tileKey(t)} is invalid: ${problem}`);
}

/** Keeps the valid tiles, drops duplicates, and keeps at most `max`, in order. */
export function validTiles<T extends GemmTile>(tiles: readonly T[], traits: GemmDeviceTraits, max = 6): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const t of tiles) {
    const key = tileKey(t) + ('splitK' in t ? `_s${String(t.splitK)}` : '');
    if (seen.has(key) || tileProblem(t, traits) !== null) continue;
    seen.add(key);
    out.push(t);
    if (out.length === max) break;
  }
  return out;
}

/** Power-of-two size bucket used in autotuning shape classes (e.g. 100 → 128). */
export function bucket(v: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, v)));
}
