// Per-device autotuning of the Conv3D kernels (compute worker or Node): a tile chooser for the TF.js kernel
// registrations that uses the Autotuner's winner for the launch's shape class, and starts timing the class's
// candidates (on scratch buffers of the same sizes) the first time it is seen; winners persist per adapter.
// TF.js's stock kernel is one of the candidates, so the tuned choice is never one measured slower than stock.
import type { Autotuner, TuneRequest } from '../../gpu/autotune.ts';
import { conv3dCandidates, conv3dShapeClass, encodeConv3d } from '../../gpu/kernels/conv3d/conv3d.ts';
import type { Conv3DGeometry } from '../../gpu/kernels/conv3d/geometry.ts';
import {
  conv3dBackpropInputCandidates,
  conv3dBackpropInputShapeClass,
  encodeConv3dBackpropInput,
} from '../../gpu/kernels/conv3d_dgrad/conv3dDgrad.ts';
import {
  conv3dBackpropFilterCandidates,
  conv3dBackpropFilterShapeClass,
  encodeConv3dBackpropFilter,
} from '../../gpu/kernels/conv3d_wgrad/conv3dWgrad.ts';
import { gemmTraits, type GemmTile } from '../../gpu/kernels/gemmTile.ts';
import { releaseTransients } from '../../gpu/transient.ts';
import {
  setConv3dTileChooser,
  stockConv3dRunner,
  type Conv3dChoice,
  type Conv3dKernelName,
} from './conv3d.ts';

const f32 = (n: number): number => Math.max(16, Math.ceil((n * 4) / 16) * 16);
const inputElems = (g: Conv3DGeometry): number => g.batch * g.inD * g.inH * g.inW * g.inC;
const outputElems = (g: Conv3DGeometry): number => g.batch * g.outD * g.outH * g.outW * g.outC;
const filterElems = (g: Conv3DGeometry): number => g.kD * g.kH * g.kW * g.inC * g.outC;

/** Shape class and candidate tiles of one kernel for one geometry (best guess first; no stock candidate). */
export function conv3dTuningSpace(
  kernel: Conv3dKernelName,
  g: Conv3DGeometry,
  device: GPUDevice,
): { shapeClass: string; candidates: GemmTile[] } {
  const traits = gemmTraits(device);
  if (kernel === 'conv3d_fwd')
    return { shapeClass: conv3dShapeClass(g), candidates: conv3dCandidates(g, traits) };
  if (kernel === 'conv3d_dgrad') {
    return {
      shapeClass: conv3dBackpropInputShapeClass(g),
      candidates: conv3dBackpropInputCandidates(g, traits),
    };
  }
  return {
    shapeClass: conv3dBackpropFilterShapeClass(g),
    candidates: conv3dBackpropFilterCandidates(g, traits),
  };
}

/**
 * A tuning request whose runs encode the kernel with a candidate tile on scratch buffers of the real sizes; its
 * last candidate, `'stock'`, runs TF.js's own kernel on inputs of the same sizes (when TF.js can express `g`).
 */
export function conv3dTuneRequest(
  kernel: Conv3dKernelName,
  g: Conv3DGeometry,
  device: GPUDevice,
): TuneRequest<Conv3dChoice> {
  const { shapeClass, candidates: tiles } = conv3dTuningSpace(kernel, g, device);
  const stockRun = stockConv3dRunner(kernel, g);
  const candidates: Conv3dChoice[] = stockRun ? [...tiles, 'stock'] : tiles;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const scratch = (label: string, elems: number): GPUBuffer =>
    device.createBuffer({ label: `conv3d-tune:${label}`, size: f32(elems), usage });
  return {
    kernel,
    shapeClass,
    candidates,
    ...(stockRun ? { baseline: 'stock' as const } : {}),
    run: (tile) => {
      if (tile === 'stock') return stockRun?.();
      const buffers: GPUBuffer[] = [];
      const make = (label: string, elems: number): GPUBuffer => {
        const b = scratch(label, elems);
        buffers.push(b);
        return b;
      };
      const encoder = device.createCommandEncoder({ label: `conv3d-tune:${kernel}` });
      if (kernel === 'conv3d_fwd') {
        encodeConv3d(device, encoder, make('x', inputElems(g)), make('w', filterElems(g)), g, {
          tile,
          out: make('y', outputElems(g)),
        });
      } else if (kernel === 'conv3d_dgrad') {
        encodeConv3dBackpropInput(device, encoder, make('dy', outputElems(g)), make('w', filterElems(g)), g, {
          tile,
          out: make('dx', inputElems(g)),
        });
      } else {
        encodeConv3dBackpropFilter(device, encoder, make('x', inputElems(g)), make('dy', outputElems(g)), g, {
          tile,
          out: make('dw', filterElems(g)),
        });
      }
      device.queue.submit([encoder.finish()]);
      releaseTransients(encoder);
      return () => {
        for (const b of buffers) b.destroy();
      };
    },
  };
}

let installed: { tuner: Autotuner; device: GPUDevice } | null = null;

/**
 * Routes the Conv3D kernels' tile choice through `tuner`: a known winner is used at once; an unseen shape class
 * runs with the best-guess tile while its candidates are timed in the background (once per adapter).
 */
export function installConv3dAutotuner(tuner: Autotuner, device: GPUDevice): void {
  installed = { tuner, device };
  setConv3dTileChooser((kernel, g) => {
    const request = conv3dTuneRequest(kernel, g, device);
    const fallback = request.candidates[0];
    if (!fallback) return undefined;
    return tuner.choose(request, fallback);
  });
}

export function uninstallConv3dAutotuner(): void {
  installed = null;
  setConv3dTileChooser(null);
}

/** Tunes one kernel for one geometry now (benchmarks and warm-up call this before timing); no-op if none installed. */
export async function pretuneConv3d(
  kernel: Conv3dKernelName,
  g: Conv3DGeometry,
): Promise<Conv3dChoice | null> {
  if (!installed) return null;
  return installed.tuner.tune(conv3dTuneRequest(kernel, g, installed.device));
}
