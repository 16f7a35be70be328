// CPU references for Conv3D forward and both gradients, with groups (dense: groups=1, depthwise: groups=C).
// Direct loops in f64 accumulation; the ground truth every Conv3D kernel's parity test compares against.
// x: f32[N,D,H,W,Cin], w: f32[kD,kH,kW,Cin/g,Cout], y/dy: f32[N,D',H',W',Cout].
import type { Conv3DGeometry } from './geometry.ts';

/** Calls fn(xIndex, wIndex, yIndex) for every multiply-add of the convolution. */
function forEachTap(g: Conv3DGeometry, fn: (xi: number, wi: number, yi: number) => void): void {
  const cinG = g.inC / g.groups;
  const coutG = g.outC / g.groups;
  for (let n = 0; n < g.batch; n++)
    for (let od = 0; od < g.outD; od++)
      for (let oh = 0; oh < g.outH; oh++)
        for (let ow = 0; ow < g.outW; ow++)
          for (let co = 0; co < g.outC; co++) {
            const grp = Math.floor(co / coutG);
            const yi = (((n * g.outD + od) * g.outH + oh) * g.outW + ow) * g.outC + co;
            for (let kd = 0; kd < g.kD; kd++) {
              const id = od * g.strideD - g.padD[0] + kd * g.dilD;
              if (id < 0 || id >= g.inD) continue;
              for (let kh = 0; kh < g.kH; kh++) {
                const ih = oh * g.strideH - g.padH[0] + kh * g.dilH;
                if (ih < 0 || ih >= g.inH) continue;
                for (let kw = 0; kw < g.kW; kw++) {
                  const iw = ow * g.strideW - g.padW[0] + kw * g.dilW;
                  if (iw < 0 || iw >= g.inW) continue;
                  const xBase = (((n * g.inD + id) * g.inH + ih) * g.inW + iw) * g.inC + grp * cinG;
                  const wBase = ((kd * g.kH + kh) * g.kW + kw) * cinG * g.outC + co;
                  for (let ci = 0; ci < cinG; ci++) fn(xBase + ci, wBase + ci * g.outC, yi);
                }
              }
            }
          }
}

export function conv3dRef(x: Float32Array, w: Float32Array, g: Conv3DGeometry): Float32Array {
  const acc = new Float64Array(g.batch * g.outD * g.outH * g.outW * g.outC);
  forEachTap(g, (xi, wi, yi) => {
    acc[yi] = (acc[yi] ?? 0) + (x[xi] ?? 0) * (w[wi] ?? 0);
  });
  return Float32Array.from(acc);
}

/** dL/dx given dL/dy: f32[N,D,H,W,Cin]. */
export function conv3dBackpropInputRef(dy: Float32Array, w: Float32Array, g: Conv3DGeometry): Float32Array {
  const acc = new Float64Array(g.batch * g.inD * g.inH * g.inW * g.inC);
  forEachTap(g, (xi, wi, yi) => {
    acc[xi] = (acc[xi] ?? 0) + (dy[yi] ?? 0) * (w[wi] ?? 0);
  });
  return Float32Array.from(acc);
}

/** dL/dw given x and dL/dy: f32[kD,kH,kW,Cin/g,Cout]. */
export function conv3dBackpropFilterRef(x: Float32Array, dy: Float32Array, g: Conv3DGeometry): Float32Array {
  const acc = new Float64Array(g.kD * g.kH * g.kW * (g.inC / g.groups) * g.outC);
  forEachTap(g, (xi, wi, yi) => {
    acc[wi] = (acc[wi] ?? 0) + (x[xi] ?? 0) * (dy[yi] ?? 0);
  });
  return Float32Array.from(acc);
}
