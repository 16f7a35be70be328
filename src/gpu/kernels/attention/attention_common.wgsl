// Shared by the fused-attention kernels (forward, backward): the Params block packed by layout.ts::packParams,
// row addressing through strided views, the counter-based dropout hash, and lane reductions.
// Needs from the kernel's prelude: D4 (vec4s per head row), LANES (lanes per row), W4 = D4 / LANES.

struct RoleView {
  a: vec4<u32>, // main view: offset, outer, inner, head stride (vec4 units)
  b: vec4<u32>, // main token stride; prefix view: offset, outer, inner
  c: vec4<u32>, // prefix view: head, token; unused
}

struct Params {
  bh: u32, // sequences = batch · inner · heads
  lq: u32,
  lk: u32,
  heads: u32,
  inner: u32,
  prefix: u32,
  tiles: u32, // row tiles per sequence
  seed: u32,
  scale: f32,
  dropThreshold: u32,
  dropScale: f32,
  flags: u32, // FLAG_* bits
  pad1: vec4<u32>,
  views: array<RoleView, 8>,
}

const FLAG_MASK: u32 = 1u;
const FLAG_LENS: u32 = 2u;
const FLAG_DROPOUT: u32 = 4u;

const ROLE_Q: u32 = 0u;
const ROLE_K: u32 = 1u;
const ROLE_V: u32 = 2u;
const ROLE_O: u32 = 3u;
const ROLE_DO: u32 = 4u;
const ROLE_DQ: u32 = 5u;
const ROLE_DK: u32 = 6u;
const ROLE_DV: u32 = 7u;

/** Finite stand-in for −∞ (WGSL may assume no infinities); scores at or below MASKED count as masked. */
const NEG: f32 = -3.0e38;
const MASKED: f32 = -1.0e30;

@group(0) @binding(0) var<uniform> P: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
/** f32[lq, lk] additive mask (bound to a dummy unless FLAG_MASK). */
@group(0) @binding(4) var<storage, read> mask: array<f32>;
/** i32[batch] valid keys per outer batch index (bound to a dummy unless FLAG_LENS). */
@group(0) @binding(5) var<storage, read> lens: array<i32>;

var<workgroup> keyCount: u32;

fn hasFlag(flag: u32) -> bool {
  return (P.flags & flag) != 0u;
}

/** (outer, inner, head) of sequence bh. */
fn splitSeq(bh: u32) -> vec3<u32> {
  let h = bh % P.heads;
  let rest = bh / P.heads;
  return vec3<u32>(rest / P.inner, rest % P.inner, h);
}

/** vec4 index of channel 0 of row i of sequence s = splitSeq(bh) in `role`'s view. */
fn rowBase(role: u32, s: vec3<u32>, i: u32) -> u32 {
  let v = P.views[role];
  if (i < P.prefix) {
    return v.b.y + s.x * v.b.z + s.y * v.b.w + s.z * v.c.x + i * v.c.y;
  }
  return v.a.x + s.x * v.a.y + s.y * v.a.z + s.z * v.a.w + i * v.b.x;
}

/** Keys of sequences of outer batch `outer` that are not padding; workgroup-uniform. */
fn uniformKeyCount(lid: u32, outer: u32) -> u32 {
  if (lid == 0u) {
    keyCount = select(P.lk, u32(clamp(lens[outer], 0, i32(P.lk))), hasFlag(FLAG_LENS));
  }
  return workgroupUniformLoad(&keyCount);
}

fn fmix32(x0: u32) -> u32 {
  var x = x0;
  x ^= x >> 16u;
  x *= 0x85ebca6bu;
  x ^= x >> 13u;
  x *= 0xc2b2ae35u;
  x ^= x >> 16u;
  return x;
}

/** Per-sequence part of the dropout hash. */
fn dropSeqHash(bh: u32) -> u32 {
  return fmix32(fmix32(P.seed + 0x9e3779b9u) ^ bh);
}

/** Per-row part of the dropout hash (dropout.ts::dropRowHash). */
fn dropRowHash(seqHash: u32, i: u32) -> u32 {
  return fmix32(seqHash + i * 0x9e3779b9u);
}

fn dropKeep(rowHash: u32, j: u32) -> bool {
  return fmix32(rowHash ^ j) >= P.dropThreshold;
}

//#if SUBGROUPS
enable subgroups;
var<workgroup> slots: atomic<u32>;

/**
 * Workgroup-local index such that each row's LANES lanes sit in one subgroup at lanes ≡ 0..LANES−1 (mod LANES),
 * whatever order the hardware forms subgroups in (needs full subgroups whose size is a multiple of LANES).
 */
fn laneLayoutIndex(sgLane: u32, sgSize: u32) -> u32 {
  var slot = 0u;
  if (sgLane == 0u) {
    slot = atomicAdd(&slots, 1u);
  }
  return subgroupBroadcast(slot, 0u) * sgSize + sgLane;
}

/** Sum over the LANES lanes of a row (butterfly: every lane gets the same bits). */
fn laneSum(x: f32) -> f32 {
  var y = x;
  for (var off = 1u; off < LANES; off <<= 1u) {
    y += subgroupShuffleXor(y, off);
  }
  return y;
}
//#endif
