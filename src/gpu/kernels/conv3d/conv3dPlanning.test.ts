// Pure planning logic of the Conv3D kernels: tile validity and candidates, shape classes, batch chunking,
// stride phases of the input gradient, split-K choice and WGSL generation (no GPU needed).
import { describe, expect, it } from 'vitest';
import {
  bucket,
  DEFAULT_GEMM_TRAITS,
  tileProblem,
  tileSplitK,
  tileWorkgroupBytes,
  type GemmDeviceTraits,
} from '../gemmTile.ts';
import { fillTemplate } from '../gemmCodegen.ts';
import { batchChunks, chunkWindow } from './chunking.ts';
import {
  columnTile,
  conv3dCandidates,
  conv3dReduction,
  conv3dShapeClass,
  igemmSplitK,
  isPointwise,
  liveTaps,
} from './conv3d.ts';
import { conv3dGeometry } from './geometry.ts';
import { igemmShader, igemmSplit } from './igemm.ts';
import { axisPhase, conv3dBackpropInputCandidates, phasePlan } from '../conv3d_dgrad/conv3dDgrad.ts';
import { conv3dBackpropFilterCandidates, wgradSplitK } from '../conv3d_wgrad/conv3dWgrad.ts';
import { wgradShader } from '../conv3d_wgrad/wgradCodegen.ts';

const swiftshader: GemmDeviceTraits = {
  maxInvocations: 256,
  maxWorkgroupBytes: 32768,
  maxWorkgroupSizeX: 256,
  maxWorkgroupSizeY: 256,
  cpuEmulated: true,
};
const r3d = conv3dGeometry([1, 8, 28, 28, 64], [3, 3, 3, 64, 64], { pad: 'same' });

describe('GEMM tiles', () => {
  it('rejects tiles a device cannot run', () => {
    expect(tileProblem({ tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4 })).toBeNull();
    expect(tileProblem({ tileM: 64, tileN: 64, tileK: 16, threadM: 2, threadN: 4 })).toMatch(
      /multiples of 4/,
    );
    expect(tileProblem({ tileM: 128, tileN: 128, tileK: 16, threadM: 4, threadN: 4 })).toMatch(/invocations/);
    expect(tileProblem({ tileM: 128, tileN: 64, tileK: 32, threadM: 8, threadN: 8 })).toMatch(
      /workgroup memory/,
    );
    expect(tileProblem({ tileM: 64, tileN: 64, tileK: 6, threadM: 8, threadN: 8 })).toMatch(/tileK/);
    expect(tileWorkgroupBytes({ tileM: 64, tileN: 64, tileK: 0, threadM: 8, threadN: 8 })).toBe(0);
  });

  it('offers 3–6 valid candidates per kernel, unstaged first on CPU adapters', () => {
    for (const traits of [DEFAULT_GEMM_TRAITS, swiftshader]) {
      const lists = [
        conv3dCandidates(r3d, traits),
        conv3dBackpropInputCandidates(r3d, traits),
        conv3dBackpropFilterCandidates(r3d, traits),
      ];
      for (const tiles of lists) {
        expect(tiles.length).toBeGreaterThanOrEqual(3);
        expect(tiles.length).toBeLessThanOrEqual(6);
        for (const t of tiles) expect(tileProblem(t, traits)).toBeNull();
        expect((tiles[0]?.tileK ?? -1) === 0).toBe(traits.cpuEmulated);
      }
    }
  });

  it('sizes tiles to small outputs', () => {
    expect(columnTile(3)).toBe(4);
    expect(columnTile(12)).toBe(16);
    expect(columnTile(512)).toBe(64);
    const deep = conv3dGeometry([1, 2, 7, 7, 256], [3, 3, 3, 256, 512], { pad: 'same', strides: 2 });
    expect(conv3dCandidates(deep, swiftshader)[0]).toMatchObject({ tileM: 8, tileN: 32, tileK: 0 }); // M = 16
    expect(bucket(100)).toBe(128);
  });

  it('keys shape classes by bucketed sizes, vector widths and path', () => {
    expect(conv3dShapeClass(r3d)).toBe('fwd_M8192_N64_K2048_a4b4_conv');
    const pw = conv3dGeometry([2, 3, 5, 7, 12], [1, 1, 1, 12, 20], {});
    expect(isPointwise(pw)).toBe(true);
    expect(conv3dShapeClass(pw)).toBe('fwd_M256_N32_K16_a4b4_pw');
  });
});

describe('batch chunking', () => {
  it('keeps one chunk when every tensor fits a binding', () => {
    expect(batchChunks(4, [1000, 2000], 8000, 256)).toEqual([{ start: 0, count: 4 }]);
  });

  it('splits the batch so each chunk plus alignment slack fits', () => {
    const chunks = batchChunks(5, [1000, 2400], 5000, 256);
    expect(chunks).toEqual([
      { start: 0, count: 1 },
      { start: 1, count: 1 },
      { start: 2, count: 1 },
      { start: 3, count: 1 },
      { start: 4, count: 1 },
    ]);
    expect(batchChunks(7, [1000], 3500, 256).map((c) => c.count)).toEqual([3, 3, 1]);
    expect(() => batchChunks(2, [9000], 8000, 256)).toThrow(/one batch item/);
  });

  it('binds aligned windows with an element offset', () => {
    expect(chunkWindow(2400, 2400, 256)).toEqual({ offset: 2304, size: 2496, elementOffset: 24 });
    expect(chunkWindow(0, 10, 256)).toEqual({ offset: 0, size: 12, elementOffset: 0 });
  });
});

describe('input-gradient stride phases', () => {
  it('assign every (input, tap) pair to exactly one phase, with the right dy coordinate', () => {
    for (const [size, k, s, pad, dil] of [
      [9, 3, 2, 1, 1],
      [8, 5, 2, 2, 2],
      [7, 1, 2, -1, 1],
      [10, 7, 3, 3, 1],
      [6, 3, 1, 0, 2],
    ] as const) {
      const outSize = Math.floor((size + 2 * Math.max(pad, 0) - (k - 1) * dil - 1) / s) + 1;
      for (let i = 0; i < size; i++) {
        const phase = axisPhase(i % s, size, k, s, pad, dil);
        const j = Math.floor(i / s);
        const viaPhase = new Set<string>();
        for (let t = 0; t < phase.count; t++) {
          const o = j + phase.off0 + t * phase.offStep;
          if (o >= 0 && o < outSize) viaPhase.add(`${phase.tap0 + t * phase.tapStep}:${o}`);
        }
        const direct = new Set<string>();
        for (let tap = 0; tap < k; tap++) {
          const num = i + pad - tap * dil;
          if (num % s === 0 && num / s >= 0 && num / s < outSize) direct.add(`${tap}:${num / s}`);
        }
        expect(viaPhase).toEqual(direct);
      }
    }
  });

  it('plans one GEMM per phase with taps·Cout inner size', () => {
    const g = conv3dGeometry([1, 8, 8, 8, 4], [3, 3, 3, 4, 8], { pad: 'same', strides: 2 });
    const plan = phasePlan(g, [1, 0, 1], 1, 0, 0);
    expect(plan.taps).toEqual([1, 2, 1]); // 'same' pads 0 before, 1 after: odd inputs take tap 1 only
    expect(plan.rows).toEqual([4, 4, 4]);
    expect(plan.n).toBe(4);
  });
});

describe('split-K and code generation', () => {
  it('splits the reduction more on GPUs than on CPU adapters, never below 64 positions a slice', () => {
    const t = { tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4 };
    expect(wgradSplitK(r3d, t, DEFAULT_GEMM_TRAITS)).toBeGreaterThan(wgradSplitK(r3d, t, swiftshader));
    const tiny = conv3dGeometry([1, 1, 2, 2, 4], [1, 1, 1, 4, 4], {});
    expect(wgradSplitK(tiny, t, DEFAULT_GEMM_TRAITS)).toBe(1);
  });

  it('fills every template marker and keys pipelines by tile and vector widths', () => {
    for (const tile of conv3dCandidates(r3d, swiftshader)) {
      const plan = phasePlan(r3d, [0, 0, 0], 1, 0, 0);
      const variant = {
        tile,
        pointwise: false,
        outContiguous: true,
        bContiguous: true,
        bTransposed: tile.tileK === 0,
        bias: true,
        relu: true,
      };
      const shader = igemmShader(variant, plan);
      expect(shader.code).not.toMatch(/\/\/@[A-Z0-9_]+/);
      expect(shader.key).toContain(`${tile.tileM}x${tile.tileN}x${tile.tileK}`);
      expect(shader.entryPoint).toBe(tile.tileK > 0 ? 'mainStaged' : 'mainDirect');
      expect(wgradShader(tile, 3, 64).code).not.toMatch(/\/\/@[A-Z0-9_]+/);
    }
    expect(() => fillTemplate('//@MISSING\n', {})).toThrow(/MISSING/);
  });

  it('leads with small-M split-K tiles when few output rows meet a long reduction', () => {
    const deep = conv3dGeometry([1, 2, 4, 4, 256], [3, 3, 3, 256, 512], { pad: 'same', strides: 2 });
    const cpu = conv3dCandidates(deep, swiftshader);
    expect(cpu[0]).toMatchObject({ tileM: 4, tileK: 0, threadM: 4 });
    expect(tileSplitK(cpu[0] ?? (r3d as never))).toBeGreaterThan(1);
    const gpu = conv3dCandidates(deep, DEFAULT_GEMM_TRAITS);
    expect(gpu[0]?.tileK).toBeGreaterThan(0);
    expect(tileSplitK(gpu[0] ?? (r3d as never))).toBeGreaterThan(tileSplitK(cpu[0] ?? (r3d as never)));
    expect(gpu.some((t) => tileSplitK(t) === 1)).toBe(true); // unsplit tiles stay in the running
    // Large M: no split-K candidates.
    expect(conv3dCandidates(r3d, swiftshader).every((t) => tileSplitK(t) === 1)).toBe(true);
    const t = { tileM: 4, tileN: 32, tileK: 0, threadM: 4, threadN: 8 };
    expect(igemmSplitK(4, 512, 300, t, swiftshader)).toBe(1); // too short a reduction
  });

  it('cuts the reduction into slices that cover it exactly once', () => {
    const deep = conv3dGeometry([1, 2, 4, 4, 8], [3, 3, 3, 8, 36], { pad: 'same', strides: 2 });
    const plan = phasePlan(deep, [1, 1, 1], 1, 0, 0); // A is dy: 36 channels
    const base = { pointwise: false, outContiguous: false, bContiguous: false, bTransposed: false };
    const direct = { tile: { tileM: 2, tileN: 8, tileK: 0, threadM: 2, threadN: 4 }, bias: true, relu: true };
    // 36 channels = 9 vec4 per tap: 4 slices of 3 vec4 cover 12 > 9, so only 3 slices are used.
    expect(igemmSplit({ ...base, ...direct, splitK: 4 }, plan)).toEqual({ slices: 3, len: 3 });
    const staged = {
      tile: { tileM: 8, tileN: 8, tileK: 16, threadM: 4, threadN: 4 },
      bias: false,
      relu: false,
    };
    const k = plan.taps[0] * plan.taps[1] * plan.taps[2] * 36;
    const s = igemmSplit({ ...base, ...staged, splitK: 5 }, plan);
    expect(s.len % 16).toBe(0);
    expect((s.slices - 1) * s.len).toBeLessThan(k);
    expect(s.slices * s.len).toBeGreaterThanOrEqual(k);
    // A split variant defers bias and ReLU to the reduce pass.
    const shader = igemmShader({ ...base, ...direct, splitK: 4 }, plan);
    expect(shader.code).toContain('const SPLIT = true;');
    expect(shader.code).toContain('const HAS_BIAS = false;');
    expect(tileProblem({ tileM: 2, tileN: 8, tileK: 16, threadM: 2, threadN: 4 })).toMatch(/multiples of 4/);
    expect(tileProblem(direct.tile)).toBeNull();
  });
});

describe('forward tap trimming', () => {
  it('keeps only taps that read the input for some output position', () => {
    // 3 taps over a 1-wide input, 'same' padding 1: only the middle tap reads x.
    expect(liveTaps(1, 1, 3, 2, 1, 1)).toEqual([1, 1]);
    // 2-wide input, stride 2, pad front 0: taps 0 and 1 read x, tap 2 only padding.
    expect(liveTaps(2, 1, 3, 2, 0, 1)).toEqual([0, 2]);
    // Large input: every tap is live.
    expect(liveTaps(14, 14, 3, 1, 1, 1)).toEqual([0, 3]);
    // Dilation 2 over a 3-wide input with pad 2: taps 0 and 2 land at −2 and +2 only for o = 0 … all live.
    expect(liveTaps(3, 3, 3, 1, 2, 2)).toEqual([0, 3]);
    // No tap reaches the input (all padding): nothing trimmed.
    expect(liveTaps(1, 1, 2, 1, 5, 1)).toEqual([0, 2]);
  });

  it("R3D-18's last stage at 1×2×2 reduces over 4 of 27 taps", () => {
    const g = conv3dGeometry([1, 1, 2, 2, 256], [3, 3, 3, 256, 512], { pad: 'same', strides: 2 });
    expect(conv3dReduction(g)).toBe(4 * 256);
    expect(conv3dReduction(r3d)).toBe(27 * 64);
  });
});
