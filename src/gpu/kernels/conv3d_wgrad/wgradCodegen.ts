// WGSL generation for the Conv3D filter-gradient GEMM (conv3dWgrad.wgsl): constants and the unrolled blocks of
// the staged (workgroup-memory) and unstaged variants. Pure.
import template from './conv3dWgrad.wgsl?raw';
import { accDecl, constBlock, fillTemplate, fmaBlock, gcd, lane } from '../gemmCodegen.ts';
import { tileKey, tileThreads, tileThreadsX, tileThreadsY, type GemmTile } from '../gemmTile.ts';

interface Shape {
  readonly t: GemmTile;
  readonly va: 1 | 4; // x channels per load (Cin % 4 === 0)
  readonly vb: 1 | 4; // dy channels per load (Cout % 4 === 0)
}

function epilogue(s: Shape): string {
  const out: string[] = [];
  for (let i = 0; i < s.t.threadM; i++) {
    out.push(`if (r0 + ${i} < P.kDims.w) {`, `  let ro = outRow(slice, r0 + ${i});`);
    for (let j = 0; j < s.t.threadN / 4; j++) {
      out.push(`  {`, `    let col = n0 + ${4 * j};`, `    var v = acc${i}_${j};`);
      if (s.vb === 4) {
        out.push(`    if (col < P.yDims.w) {`, `      let o = (ro + col) / 4;`);
        out.push(`      if (P.red.w != 0) { v += OUT[o]; }`, `      OUT[o] = v;`, `    }`);
      } else {
        for (let q = 0; q < 4; q++) {
          out.push(`    if (col + ${q} < P.yDims.w) {`, `      let o = ro + col + ${q};`);
          out.push(`      OUT[o] = v[${q}] + select(0.0, OUT[o], P.red.w != 0);`, `    }`);
        }
      }
      out.push(`  }`);
    }
    out.push(`}`);
  }
  return out.join('\n');
}

function staged(s: Shape): Record<string, string> {
  const { t, va, vb } = s;
  const threads = tileThreads(t);
  const rv = t.tileM / va; // x loads per reduction step
  const itemsA = rv * t.tileK;
  const nA = Math.ceil(itemsA / threads);
  const rows = Math.min(nA, rv / gcd(threads, rv));
  const prologue = [accDecl(t.threadM, t.threadN)];
  for (let j = 0; j < rows; j++)
    prologue.push(`let tr${j} = tapOf(rt + ((tid + ${j * threads}) % ${rv}) * VA);`);
  const groups = Math.ceil(nA / rows);
  const load = [groups > 1 ? `for (var g = 0; g < ${groups}; g++) {` : `{\n  let g = 0;`];
  for (let r = 0; r < rows; r++) {
    load.push(`  {`, `    let item = tid + (g * ${rows} + ${r}) * ${threads};`);
    load.push(groups * rows * threads > itemsA ? `    if (item < ${itemsA}) {` : `    {`);
    load.push(`      let rv = item % ${rv};`, `      let mm = item / ${rv};`);
    load.push(`      let v = loadX(posOf(k0 + mm, span.y), tr${r});`);
    load.push(
      va === 4
        ? `      As[mm * (TILE_M / 4) + rv] = v;`
        : `      As[mm * (TILE_M / 4) + rv / 4][rv % 4] = v;`,
    );
    load.push(`    }`, `  }`);
  }
  load.push(`}`);
  const nv = t.tileN / vb;
  const itemsB = nv * t.tileK;
  const nB = Math.ceil(itemsB / threads);
  load.push(nB > 1 ? `for (var i = 0; i < ${nB}; i++) {` : `{\n  let i = 0;`);
  load.push(
    `  let item = tid + i * ${threads};`,
    nB * threads > itemsB ? `  if (item < ${itemsB}) {` : `  {`,
  );
  load.push(`    let nv = item % ${nv};`, `    let kk = item / ${nv};`, `    let m = k0 + kk;`);
  load.push(`    let col = nt + nv * VB;`);
  load.push(`    let ok = m < span.y && col < P.yDims.w;`);
  load.push(`    let v = select(BT(0.0), DY[(m * P.yDims.w + col + P.offsets.y) / VB], ok);`);
  load.push(
    vb === 4 ? `    Bs[kk * (TILE_N / 4) + nv] = v;` : `    Bs[kk * (TILE_N / 4) + nv / 4][nv % 4] = v;`,
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
  const empty = {
    DIRECT_PROLOGUE: '',
    DIRECT_LINE: '',
    DIRECT_STEP: '',
    DIRECT_STEP2: '',
    DIRECT_EPILOGUE: '',
  };
  return {
    STAGED_PROLOGUE: prologue.join('\n'),
    STAGED_LOAD: load.join('\n'),
    STAGED_STEP: step.join('\n'),
    STAGED_EPILOGUE: epilogue(s),
    ...empty,
  };
}

function direct(s: Shape): Record<string, string> {
  const { t, va, vb } = s;
  const groups = t.threadM / va;
  const prologue = [accDecl(t.threadM, t.threadN)];
  const line: string[] = [];
  const step: string[] = [];
  for (let g = 0; g < groups; g++) {
    prologue.push(`let tg${g} = tapOf(r0 + ${g * va});`);
    line.push(`let lok${g} = u32(id + tg${g}.x) < u32(P.xDims.x) && u32(ih + tg${g}.y) < u32(P.xDims.y);`);
    line.push(
      `let lb${g} = (line + tg${g}.x * P.xDims.y + tg${g}.y) * P.xDims.z * cin + tg${g}.w + P.offsets.x;`,
    );
    step.push(`let xw${g} = iwv + tg${g}.z;`);
    step.push(
      `let a${g} = select(AT(0.0), X[(lb${g} + xw${g} * cin) / VA], lok${g} && u32(xw${g}) < u32(P.xDims.z));`,
    );
  }
  for (let j = 0; j < t.threadN / 4; j++) {
    if (vb === 4) {
      step.push(`let b${j} = DY[brow + n0 / 4 + ${j}];`);
    } else {
      step.push(
        `let b${j} = vec4<f32>(${[0, 1, 2, 3].map((e) => `DY[brow + n0 + ${4 * j + e}]`).join(', ')});`,
      );
    }
  }
  step.push(
    fmaBlock(
      t.threadM,
      t.threadN,
      (i) => `a${Math.floor(i / va)}${lane(i % va, va)}`,
      (j) => `b${j}`,
    ),
  );
  // One position (m, iw) per block; the walk takes two positions per iteration while the line allows.
  const at = (dm: number): string =>
    [
      `{`,
      `  let brow = ((m + ${dm}) * P.yDims.w + P.offsets.y) / VB;`,
      `  let iwv = iw + ${dm} * P.stride.z;`,
      ...step.map((l) => `  ${l}`),
      `}`,
    ].join('\n');
  const empty = { STAGED_PROLOGUE: '', STAGED_LOAD: '', STAGED_STEP: '', STAGED_EPILOGUE: '' };
  return {
    DIRECT_PROLOGUE: prologue.join('\n'),
    DIRECT_LINE: line.join('\n'),
    DIRECT_STEP: at(0),
    DIRECT_STEP2: `${at(0)}\n${at(1)}`,
    DIRECT_EPILOGUE: epilogue(s),
    ...empty,
  };
}

/** Shader source, pipeline key and entry point of the filter-gradient GEMM for a tile and channel counts. */
export function wgradShader(
  t: GemmTile,
  cin: number,
  cout: number,
): { key: string; code: string; entryPoint: string } {
  const s: Shape = { t, va: cin % 4 === 0 ? 4 : 1, vb: cout % 4 === 0 ? 4 : 1 };
  const consts = [
    `alias AT = ${s.va === 4 ? 'vec4<f32>' : 'f32'};`,
    `alias BT = ${s.vb === 4 ? 'vec4<f32>' : 'f32'};`,
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
    }),
  ].join('\n');
  const blocks = t.tileK > 0 ? staged(s) : direct(s);
  return {
    key: `conv3d_wgrad_${tileKey(t)}_a${s.va}b${s.vb}`,
    code: fillTemplate(template, { CONSTS: consts, ...blocks }),
    entryPoint: t.tileK > 0 ? 'mainStaged' : 'mainDirect',
  };
}
