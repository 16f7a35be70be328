// Code generation and dispatch of the implicit-GEMM template conv3d.wgsl (forward pass and input gradient).
// Pure text generation plus compute-pass recording; runs wherever the GPUDevice lives (compute worker, tests).
import template from './conv3d.wgsl?raw';
import reduceTemplate from './igemmReduce.wgsl?raw';
import { storageUsage } from '../../buffers.ts';
import { getPipeline } from '../../pipelines.ts';
import { createTransient, uniformTransient } from '../../transient.ts';
import { accDecl, constBlock, fillTemplate, fmaBlock, gcd, lane } from '../gemmCodegen.ts';
import { tileThreads, tileThreadsX, tileThreadsY, tileKey, type GemmTile } from '../gemmTile.ts';

export type Vec3 = readonly [number, number, number];

/** One dispatch of the implicit GEMM; the fields mirror `Params` in conv3d.wgsl. */
export interface IgemmPlan {
  readonly rows: Vec3;
  readonly m: number;
  readonly aDims: readonly [number, number, number, number];
  readonly aScale: Vec3;
  readonly aBase: Vec3;
  readonly aTapStep: Vec3;
  readonly taps: Vec3;
  readonly wTap0: Vec3;
  readonly wTapStep: Vec3;
  readonly wDims: Vec3;
  readonly n: number;
  readonly oDims: Vec3;
  readonly oScale: Vec3;
  readonly oOff: Vec3;
  /** Scalar offsets of A and of C inside their bindings (batch chunks bound at aligned offsets). */
  readonly aOffset: number;
  readonly oOffset: number;
}

/** Compile-time specialisation of the template. */
export interface IgemmVariant {
  readonly tile: GemmTile;
  readonly pointwise: boolean;
  readonly outContiguous: boolean;
  readonly bContiguous: boolean;
  /** B is [taps, N, C] (the raw filter, for the input gradient) instead of [taps·C, N]; unstaged tiles only. */
  readonly bTransposed: boolean;
  readonly bias: boolean;
  readonly relu: boolean;
  /**
   * Split-K slices asked for (absent or 1: none). The reduction is cut into channel ranges across all taps
   * (unstaged) or TILE_K-aligned K ranges (staged), one workgroup layer each; partials go to a transient buffer
   * and a reduce pass sums them and applies bias/ReLU.
   */
  readonly splitK?: number;
}

/** Split-K partials are capped at this many bytes (and one storage binding). */
export const MAX_SPLIT_PARTIAL_BYTES = 64 * 1024 * 1024;

/** The slices actually used and each one's reduction length (K units staged, channel vectors unstaged). */
export function igemmSplit(
  v: IgemmVariant,
  p: IgemmPlan,
  maxPartialBytes = MAX_SPLIT_PARTIAL_BYTES,
): { slices: number; len: number } {
  const tileK = v.tile.tileK;
  const span = tileK > 0 ? planK(p) : p.aDims[3] / (p.aDims[3] % 4 === 0 ? 4 : 1);
  const byMemory = Math.floor(maxPartialBytes / Math.max(1, p.m * p.n * 4));
  const want = Math.max(1, Math.min(Math.floor(v.splitK ?? 1), byMemory));
  if (want <= 1) return { slices: 1, len: span };
  const unit = tileK > 0 ? tileK : 1;
  const len = Math.ceil(span / want / unit) * unit;
  return { slices: Math.ceil(span / len), len };
}

export const planK = (p: IgemmPlan): number => p.taps[0] * p.taps[1] * p.taps[2] * p.aDims[3];

interface Shape {
  readonly v: IgemmVariant;
  readonly va: 1 | 4;
  readonly vb: 1 | 4;
  readonly tapUniform: boolean;
}

function epilogueBlock(s: Shape): string {
  const { threadM: tm, threadN: tn } = s.v.tile;
  const out: string[] = [];
  for (let i = 0; i < tm; i++) {
    out.push(`{`, `  let row = m0 + ${i};`, `  if (row < P.rows.w) {`);
    out.push(`    let ro = outRow(row);`);
    for (let j = 0; j < tn / 4; j++) {
      out.push(`    {`, `      let col = n0 + ${4 * j};`, `      let v = epilogue(acc${i}_${j}, col);`);
      if (s.vb === 4) {
        out.push(`      if (col < P.wDims.w) { C[(ro + col) / 4] = v; }`);
      } else {
        for (let q = 0; q < 4; q++)
          out.push(`      if (col + ${q} < P.wDims.w) { C[ro + col + ${q}] = v[${q}]; }`);
      }
      out.push(`    }`);
    }
    out.push(`  }`, `}`);
  }
  return out.join('\n');
}

function stagedBlocks(s: Shape): Record<string, string> {
  const t = s.v.tile;
  const threads = tileThreads(t);
  const itemsA = (t.tileM * t.tileK) / s.va;
  const itemsB = (t.tileK * t.tileN) / s.vb;
  const nA = Math.ceil(itemsA / threads);
  const nB = Math.ceil(itemsB / threads);
  const period = t.tileM / gcd(threads, t.tileM);
  const rows = Math.min(nA, period);
  const prologue = [accDecl(t.threadM, t.threadN)];
  for (let j = 0; j < rows; j++) prologue.push(`let rb${j} = rowBase(mt + (tid + ${j * threads}) % TILE_M);`);
  const load: string[] = [];
  if (s.tapUniform) {
    load.push(`let kb = decodeK(k0);`);
    if (!s.v.bContiguous) load.push(`let wr = weightRow(kb.xyz) + kb.w;`);
    for (let j = 0; j < rows; j++) load.push(`let tb${j} = tapIndex(rb${j}, kb.xyz) + kb.w / VA;`);
  }
  // A items: item i of this invocation reads row (tid + i·threads) % TILE_M, which repeats every `rows` items.
  const groups = Math.ceil(nA / rows);
  const guardA = groups * rows * threads > itemsA;
  load.push(groups > 1 ? `for (var g = 0; g < ${groups}; g++) {` : `{\n  let g = 0;`);
  for (let r = 0; r < rows; r++) {
    load.push(`  {`, `    let item = tid + (g * ${rows} + ${r}) * ${threads};`);
    load.push(guardA ? `    if (item < ${itemsA}) {` : `    {`);
    load.push(`      let mm = item % TILE_M;`, `      let kv = item / TILE_M;`);
    load.push(
      s.tapUniform
        ? `      let v = select(AT(0.0), A[tb${r} + kv], tb${r} >= kb.w / VA);`
        : `      let v = loadA(rb${r}, k0 + kv * VA);`,
    );
    for (let q = 0; q < s.va; q++) {
      load.push(`      As[(kv * VA + ${q}) * (TILE_M / 4) + mm / 4][mm % 4] = v${lane(q, s.va)};`);
    }
    load.push(`    }`, `  }`);
  }
  load.push(`}`);
  const guardB = nB * threads > itemsB;
  load.push(nB > 1 ? `for (var i = 0; i < ${nB}; i++) {` : `{\n  let i = 0;`);
  load.push(`  let item = tid + i * ${threads};`, guardB ? `  if (item < ${itemsB}) {` : `  {`);
  load.push(`    let nv = item % ${t.tileN / s.vb};`, `    let kk = item / ${t.tileN / s.vb};`);
  load.push(`    let k = k0 + kk;`, `    let col = nt + nv * VB;`);
  const row = s.v.bContiguous ? 'k' : s.tapUniform ? '(wr + kk)' : 'bRow(k)';
  load.push(
    `    let v = select(BT(0.0), B[(${row} * P.wDims.w + col) / VB], k < P.taps.w && col < P.wDims.w);`,
  );
  load.push(
    s.vb === 4 ? `    Bs[kk * (TILE_N / 4) + nv] = v;` : `    Bs[kk * (TILE_N / 4) + nv / 4][nv % 4] = v;`,
  );
  load.push(`  }`, `}`);
  const step: string[] = [];
  for (let i = 0; i < t.threadM / 4; i++)
    step.push(`let a${i} = As[kk * (TILE_M / 4) + ty * (TM / 4) + ${i}];`);
  for (let j = 0; j < t.threadN / 4; j++)
    step.push(`let b${j} = Bs[kk * (TILE_N / 4) + tx * (TN / 4) + ${j}];`);
  step.push(
    fmaBlock(
      t.threadM,
      t.threadN,
      (i) => `a${i >> 2}[${i & 3}]`,
      (j) => `b${j}`,
    ),
  );
  return {
    STAGED_PROLOGUE: prologue.join('\n'),
    STAGED_LOAD: load.join('\n'),
    STAGED_STEP: step.join('\n'),
    STAGED_EPILOGUE: epilogueBlock(s),
    DIRECT_PROLOGUE: '',
    DIRECT_TAP: '',
    DIRECT_STEP: '',
    DIRECT_EPILOGUE: '',
  };
}

function directBlocks(s: Shape): Record<string, string> {
  const { threadM: tm, threadN: tn } = s.v.tile;
  const prologue = [accDecl(tm, tn)];
  const tap: string[] = [];
  const step: string[] = [];
  for (let i = 0; i < tm; i++) {
    prologue.push(`let rb${i} = rowBase(m0 + ${i});`);
    tap.push(`let ai${i} = tapIndex(rb${i}, t);`);
    step.push(`let a${i} = select(AT(0.0), A[ai${i} + c], ai${i} >= 0);`);
  }
  if (s.v.bTransposed) {
    // B[tap, n, c]: one load per column gives VA reduction steps; columns are regrouped in registers.
    tap.push(`let bt = weightTap(t) * P.wDims.w;`);
    for (let j = 0; j < tn; j++) step.push(`let bk${j} = B[(bt + n0 + ${j}) * cv + c];`);
  }
  for (let q = 0; q < s.va; q++) {
    if (!s.v.bTransposed) step.push(`let r${q} = (br + c * VA + ${q}) * nb;`);
    for (let j = 0; j < tn / 4; j++) {
      if (s.v.bTransposed) {
        const e = [0, 1, 2, 3].map((e) => `bk${4 * j + e}${lane(q, s.va)}`).join(', ');
        step.push(`let b${q}_${j} = vec4<f32>(${e});`);
      } else if (s.vb === 4) {
        step.push(`let b${q}_${j} = B[r${q} + n0 / 4 + ${j}];`);
      } else {
        const e = [0, 1, 2, 3].map((e) => `B[r${q} + n0 + ${4 * j + e}]`).join(', ');
        step.push(`let b${q}_${j} = vec4<f32>(${e});`);
      }
    }
    step.push(
      fmaBlock(
        tm,
        tn,
        (i) => `a${i}${lane(q, s.va)}`,
        (j) => `b${q}_${j}`,
      ),
    );
  }
  return {
    STAGED_PROLOGUE: '',
    STAGED_LOAD: '',
    STAGED_STEP: '',
    STAGED_EPILOGUE: '',
    DIRECT_PROLOGUE: prologue.join('\n'),
    DIRECT_TAP: tap.join('\n'),
    DIRECT_STEP: step.join('\n'),
    DIRECT_EPILOGUE: epilogueBlock(s),
  };
}

function shapeOf(v: IgemmVariant, p: IgemmPlan): Shape {
  const t = v.tile;
  const c = p.aDims[3];
  return {
    v,
    va: c % 4 === 0 ? 4 : 1,
    vb: p.n % 4 === 0 ? 4 : 1,
    tapUniform: t.tileK > 0 && c % t.tileK === 0,
  };
}

/** The WGSL source and pipeline key of a variant specialised for a plan's vector widths and edges. */
export function igemmShader(
  v: IgemmVariant,
  p: IgemmPlan,
): { key: string; code: string; entryPoint: string } {
  const s = shapeOf(v, p);
  const t = v.tile;
  const split = igemmSplit(v, p).slices > 1;
  const flags = {
    POINTWISE: v.pointwise,
    OUT_CONTIGUOUS: v.outContiguous,
    B_CONTIGUOUS: v.bContiguous,
    SPLIT: split,
  };
  const bias = v.bias && !split; // split-K applies the epilogue in the reduce pass
  const relu = v.relu && !split;
  if (v.bTransposed && t.tileK > 0) throw new RangeError('igemm: a transposed B needs an unstaged tile');
  const consts = [
    `alias AT = ${s.va === 4 ? 'vec4<f32>' : 'f32'};`,
    `alias BT = ${s.vb === 4 ? 'vec4<f32>' : 'f32'};`,
    `alias WT = ${v.bTransposed ? 'AT' : 'BT'};`,
    constBlock({
      VA: s.va,
      VB: s.vb,
      TILE_M: t.tileM,
      TILE_N: t.tileN,
      TILE_K: t.tileK,
      TM: t.threadM,
      TN: t.threadN,
      WG_X: tileThreadsX(t),
      WG_Y: tileThreadsY(t),
      AS_LEN: Math.max(1, (t.tileK * t.tileM) / 4),
      BS_LEN: Math.max(1, (t.tileK * t.tileN) / 4),
      ...flags,
      HAS_BIAS: bias,
      RELU: relu,
    }),
    !bias
      ? 'fn biasAt(col: i32) -> vec4<f32> { return vec4<f32>(0.0); }'
      : s.vb === 4
        ? 'fn biasAt(col: i32) -> vec4<f32> { return bias[col / 4]; }'
        : 'fn biasAt(col: i32) -> vec4<f32> { return vec4<f32>(bias[col], bias[col + 1], bias[col + 2], bias[col + 3]); }',
  ].join('\n');
  const blocks = t.tileK > 0 ? stagedBlocks(s) : directBlocks(s);
  const code = fillTemplate(template, { CONSTS: consts, ...blocks });
  const flagKey = Object.entries({ ...flags, tu: s.tapUniform, bt: v.bTransposed })
    .map(([k, b]) => (b ? k.toLowerCase() : ''))
    .filter((k) => k !== '')
    .join('-');
  const key = `conv3d_igemm_${tileKey(t)}_a${s.va}b${s.vb}_${flagKey}${bias ? '_bias' : ''}${relu ? '_relu' : ''}`;
  return { key, code, entryPoint: t.tileK > 0 ? 'mainStaged' : 'mainDirect' };
}

export interface IgemmBindings {
  readonly a: GPUBufferBinding;
  readonly b: GPUBufferBinding;
  readonly c: GPUBufferBinding;
  readonly bias?: GPUBufferBinding;
}

function reduceShader(v: IgemmVariant): { key: string; code: string } {
  const biasAt = !v.bias
    ? 'fn biasAt(col: i32) -> f32 { return 0.0; }'
    : 'fn biasAt(col: i32) -> f32 { return bias[col]; }';
  const consts = [constBlock({ HAS_BIAS: v.bias, RELU: v.relu }), biasAt].join('\n');
  const key = `conv3d_igemm_reduce${v.bias ? '_bias' : ''}${v.relu ? '_relu' : ''}`;
  return { key, code: fillTemplate(reduceTemplate, { CONSTS: consts }) };
}

/** Records the split-K reduce pass: C rows (mapped like the GEMM's) = epilogue(sum of the slices). */
function encodeReduce(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pass: GPUComputePassEncoder,
  v: IgemmVariant,
  p: IgemmPlan,
  partials: GPUBufferBinding,
  slices: number,
  buffers: IgemmBindings,
  label: string,
): void {
  const pipeline = getPipeline(device, reduceShader(v));
  const groups = Math.ceil((p.m * p.n) / 64);
  const gx = Math.min(groups, device.limits.maxComputeWorkgroupsPerDimension);
  const gy = Math.ceil(groups / gx);
  const words = new Int32Array([
    ...p.rows, p.m,
    ...p.oDims, p.n,
    ...p.oScale, slices,
    ...p.oOff, p.oOffset,
    v.outContiguous ? 1 : 0, gx * 64, 0, 0,
  ]); // prettier-ignore
  const uniforms = uniformTransient(device, encoder, `${label}:reduce-params`, words);
  const entries: GPUBindGroupEntry[] = [
    { binding: 0, resource: { buffer: uniforms } },
    { binding: 1, resource: partials },
    { binding: 2, resource: buffers.c },
  ];
  if (v.bias) {
    if (!buffers.bias) throw new Error(`${label}: the bias variant needs a bias buffer`);
    entries.push({ binding: 3, resource: buffers.bias });
  }
  const layout = pipeline.getBindGroupLayout(0);
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, device.createBindGroup({ label: `${label}:reduce`, layout, entries }));
  pass.dispatchWorkgroups(gx, gy);
}

/**
 * Records one implicit-GEMM dispatch into `pass` (plus, with split-K, a reduce dispatch over a transient
 * partials buffer); its uniform blocks are transients of `encoder`.
 */
export function encodeIgemm(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  pass: GPUComputePassEncoder,
  v: IgemmVariant,
  p: IgemmPlan,
  buffers: IgemmBindings,
  label: string,
): void {
  const t = v.tile;
  const maxBinding = device.limits.maxStorageBufferBindingSize;
  const split = igemmSplit(v, p, Math.min(MAX_SPLIT_PARTIAL_BYTES, maxBinding));
  const shader = igemmShader({ ...v, splitK: split.slices }, p);
  const pipeline = getPipeline(device, shader);
  const rowTiles = Math.ceil(p.m / t.tileM);
  const maxDim = device.limits.maxComputeWorkgroupsPerDimension;
  const gy = Math.min(rowTiles, maxDim);
  const zr = Math.ceil(rowTiles / gy);
  const gx = Math.ceil(p.n / t.tileN);
  const gz = zr * split.slices;
  if (gx > maxDim || gz > maxDim) throw new RangeError(`${label}: ${p.m}×${p.n} needs too many workgroups`);
  const sliceElems = split.slices > 1 ? p.m * p.n : 0;
  const words = new Int32Array([
    ...p.rows, p.m,
    ...p.aDims,
    ...p.aScale, split.len,
    ...p.aBase, zr,
    ...p.aTapStep, sliceElems,
    ...p.taps, planK(p),
    ...p.wTap0, 0,
    ...p.wTapStep, 0,
    ...p.wDims, p.n,
    ...p.oDims, 0,
    ...p.oScale, 0,
    ...p.oOff, 0,
    p.aOffset, p.oOffset, gy, 0,
  ]); // prettier-ignore
  const uniforms = uniformTransient(device, encoder, `${label}:params`, words);
  let partials: GPUBufferBinding | null = null;
  if (split.slices > 1) {
    const bytes = split.slices * sliceElems * 4;
    const buffer = createTransient(device, encoder, `${label}:partials`, bytes, storageUsage());
    partials = { buffer, offset: 0, size: bytes };
  }
  const entries: GPUBindGroupEntry[] = [
    { binding: 0, resource: { buffer: uniforms } },
    { binding: 1, resource: buffers.a },
    { binding: 2, resource: buffers.b },
    { binding: 3, resource: partials ?? buffers.c },
  ];
  if (v.bias && !partials) {
    if (!buffers.bias) throw new Error(`${label}: the bias variant needs a bias buffer`);
    entries.push({ binding: 4, resource: buffers.bias });
  }
  const bindGroup = device.createBindGroup({ label, layout: pipeline.getBindGroupLayout(0), entries });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(gx, gy, gz);
  if (partials) encodeReduce(device, encoder, pass, v, p, partials, split.slices, buffers, label);
}
