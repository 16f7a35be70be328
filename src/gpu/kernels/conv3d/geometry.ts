// Conv3D geometry shared by every Conv3D kernel (dense, grouped, depthwise) and their references. Pure.
// Layouts: x: f32[N,D,H,W,Cin] (NDHWC), w: f32[kD,kH,kW,Cin/groups,Cout], y: f32[N,D',H',W',Cout].

/** Padding as TF.js takes it: 'same', 'valid', one number for all sides, or [before, after] per spatial dim. */
export type Conv3DPadding =
  | 'same'
  | 'valid'
  | number
  | readonly [readonly [number, number], readonly [number, number], readonly [number, number]];

export type Triple = readonly [number, number, number];

export interface Conv3DOptions {
  readonly strides?: number | Triple;
  readonly pad?: Conv3DPadding;
  readonly dilations?: number | Triple;
  readonly groups?: number;
}

export interface Conv3DGeometry {
  readonly batch: number;
  readonly inD: number;
  readonly inH: number;
  readonly inW: number;
  readonly inC: number;
  readonly outC: number;
  readonly groups: number;
  readonly kD: number;
  readonly kH: number;
  readonly kW: number;
  readonly strideD: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly dilD: number;
  readonly dilH: number;
  readonly dilW: number;
  /** Padding before (front/top/left) and after (back/bottom/right) each spatial dim. */
  readonly padD: readonly [number, number];
  readonly padH: readonly [number, number];
  readonly padW: readonly [number, number];
  readonly outD: number;
  readonly outH: number;
  readonly outW: number;
}

const triple = (v: number | Triple, name: string): Triple => {
  const t: Triple = typeof v === 'number' ? [v, v, v] : v;
  if (t.some((x) => !Number.isInteger(x) || x < 1)) {
    throw new RangeError(`conv3d: ${name} must be positive integers, got ${JSON.stringify(v)}`);
  }
  return t;
};

function padDim(
  pad: Conv3DPadding,
  axis: 0 | 1 | 2,
  size: number,
  k: number,
  stride: number,
  dil: number,
): { before: number; after: number; out: number } {
  const effK = (k - 1) * dil + 1;
  if (pad === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + effK - size, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before, out };
  }
  let before = 0;
  let after = 0;
  if (typeof pad === 'number') {
    before = pad;
    after = pad;
  } else if (pad !== 'valid') {
    [before, after] = pad[axis];
  }
  if (!Number.isInteger(before) || !Number.isInteger(after) || before < 0 || after < 0) {
    throw new RangeError(`conv3d: padding must be non-negative integers, got ${JSON.stringify(pad)}`);
  }
  const out = Math.floor((size + before + after - effK) / stride) + 1;
  return { before, after, out };
}

/** Output shape, padding and strides of a Conv3D; throws a RangeError naming the bad value. */
export function conv3dGeometry(
  xShape: readonly number[],
  wShape: readonly number[],
  options: Conv3DOptions = {},
): Conv3DGeometry {
  if (xShape.length !== 5 || wShape.length !== 5) {
    throw new RangeError(
      `conv3d: x must be 5-D NDHWC and w 5-D [kD,kH,kW,Cin/g,Cout]; got [${xShape.join(',')}] and [${wShape.join(',')}]`,
    );
  }
  const [batch = 0, inD = 0, inH = 0, inW = 0, inC = 0] = xShape;
  const [kD = 0, kH = 0, kW = 0, cinPerGroup = 0, outC = 0] = wShape;
  const groups = options.groups ?? 1;
  if (!Number.isInteger(groups) || groups < 1 || inC % groups !== 0 || outC % groups !== 0) {
    throw new RangeError(`conv3d: groups=${groups} must divide in channels ${inC} and out channels ${outC}`);
  }
  if (cinPerGroup * groups !== inC) {
    throw new RangeError(
      `conv3d: filter has ${cinPerGroup} input channels per group; x has ${inC} for ${groups} group(s)`,
    );
  }
  const [strideD, strideH, strideW] = triple(options.strides ?? 1, 'strides');
  const [dilD, dilH, dilW] = triple(options.dilations ?? 1, 'dilations');
  const pad = options.pad ?? 'valid';
  const d = padDim(pad, 0, inD, kD, strideD, dilD);
  const h = padDim(pad, 1, inH, kH, strideH, dilH);
  const w = padDim(pad, 2, inW, kW, strideW, dilW);
  if (d.out < 1 || h.out < 1 || w.out < 1) {
    throw new RangeError(
      `conv3d: the filter is larger than the padded input (output ${d.out}×${h.out}×${w.out})`,
    );
  }
  return {
    batch,
    inD,
    inH,
    inW,
    inC,
    outC,
    groups,
    kD,
    kH,
    kW,
    strideD,
    strideH,
    strideW,
    dilD,
    dilH,
    dilW,
    padD: [d.before, d.after],
    padH: [h.before, h.after],
    padW: [w.before, w.after],
    outD: d.out,
    outH: h.out,
    outW: w.out,
  };
}

/** Multiply-adds × 2 of the forward pass (each gradient costs the same). */
export function conv3dFlops(g: Conv3DGeometry): number {
  return 2 * g.batch * g.outD * g.outH * g.outW * g.outC * g.kD * g.kH * g.kW * (g.inC / g.groups);
}

export const outputShape = (g: Conv3DGeometry): [number, number, number, number, number] => [
  g.batch,
  g.outD,
  g.outH,
  g.outW,
  g.outC,
];
