// Dispatch for the fused attention backward pass (FlashAttention-2 style): stats = (lse, rowsum(dO∘O)), then dq
// parallel over query tiles and dk/dv parallel over key tiles, so no atomics are needed. Runs where the
// GPUDevice lives (compute worker). dk and dv land in ONE buffer (`dkv`, through the dk and dv views) so that
// every kernel binds at most 8 storage buffers, the WebGPU default limit.
import common from '../attention/attention_common.wgsl?raw';
import prepSource from './attention_bwd_prep.wgsl?raw';
import dqSource from './attention_bwd_dq.wgsl?raw';
import dkdvSource from './attention_bwd_dkdv.wgsl?raw';
import { getPipeline } from '../../pipelines.ts';
import { createStorage, uploadUniformU32 } from '../../buffers.ts';
import { constPrelude, hoistEnables, specialiseWgsl } from '../attention/wgslTemplate.ts';
import {
  activeDropout,
  attentionPipeline,
  checkBuffer,
  checkInputs,
  defaultScale,
  resolveTiles,
  sharedEntries,
  type AttentionOptions,
} from '../attention/attention.ts';
import {
  foldDispatch,
  packParams,
  seqCount,
  type AttentionGeometry,
  type HeadDim,
  type RoleViews,
} from '../attention/layout.ts';

export interface AttentionBackwardBuffers {
  readonly q: GPUBuffer;
  readonly k: GPUBuffer;
  readonly v: GPUBuffer;
  /** Forward output and its logsumexp f32[batch·inner·heads, lq]. */
  readonly o: GPUBuffer;
  readonly lse: GPUBuffer;
  /** Gradient of the loss with respect to o (read through the `do` view). */
  readonly dO: GPUBuffer;
  readonly mask?: GPUBuffer;
  readonly keyLengths?: GPUBuffer;
  /** Outputs: dq through the `dq` view; dk and dv through the `dk` and `dv` views of one buffer. */
  readonly dq: GPUBuffer;
  readonly dkv: GPUBuffer;
}

function prepPipeline(device: GPUDevice, d: HeadDim): GPUComputePipeline {
  const prelude = constPrelude({ D4: d / 4, LANES: 1, W4: d / 4, ROWS: 64, WG: 64, BC: 1 });
  const code = hoistEnables(specialiseWgsl([prelude, common, prepSource].join('\n'), { SUBGROUPS: false }));
  return getPipeline(device, { key: `attention_bwd_prep_d${d}`, code });
}

/**
 * Encodes the backward pass into `encoder`: three dispatches in one compute pass. Temporaries (the stats
 * buffer, uniform blocks) are destroyed by `done`, to be called after the encoder's submission.
 */
export function encodeAttentionBackward(
  device: GPUDevice,
  encoder: GPUCommandEncoder,
  geometry: AttentionGeometry,
  views: RoleViews,
  buffers: AttentionBackwardBuffers,
  options: AttentionOptions = {},
): { done: () => void } {
  checkInputs(geometry, views, { ...buffers, do: buffers.dO, dk: buffers.dkv, dv: buffers.dkv });
  const rows = seqCount(geometry) * geometry.lq;
  checkBuffer('lse', buffers.lse, rows);
  const d = geometry.headDim;
  const dropout = activeDropout(options);
  const dqTiles = resolveTiles(device, 'dq', d, geometry.lq, options);
  const kvTiles = resolveTiles(device, 'dkdv', d, geometry.lk, options);
  const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
  const temporaries: GPUBuffer[] = [];
  const uniforms = (label: string, tiles: number): GPUBuffer => {
    const words = packParams({
      geometry,
      views,
      scale: options.scale ?? defaultScale(d),
      dropout,
      tiles,
      hasMask: !!buffers.mask,
      hasKeyLengths: !!buffers.keyLengths,
    });
    const buffer = uploadUniformU32(device, `attention_bwd:${label}:params`, [...words]);
    temporaries.push(buffer);
    return buffer;
  };
  const stats = createStorage(device, 'attention_bwd:stats', rows * 8);
  temporaries.push(stats);

  const pass = encoder.beginComputePass({ label: 'attention_bwd' });
  const prep = prepPipeline(device, d);
  pass.setPipeline(prep);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label: 'attention_bwd_prep',
      layout: prep.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniforms('prep', 1) } },
        { binding: 6, resource: { buffer: buffers.o } },
        { binding: 7, resource: { buffer: buffers.dO } },
        { binding: 8, resource: { buffer: buffers.lse } },
        { binding: 9, resource: { buffer: stats } },
      ],
    }),
  );
  pass.dispatchWorkgroups(...foldDispatch(Math.ceil(rows / 64), maxPerDim));

  const dqRowTiles = Math.ceil(geometry.lq / dqTiles.rows);
  const dq = attentionPipeline(device, 'attention_bwd_dq', dqSource, d, dqTiles);
  pass.setPipeline(dq);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label: 'attention_bwd_dq',
      layout: dq.getBindGroupLayout(0),
      entries: sharedEntries(device, uniforms('dq', dqRowTiles), buffers).concat([
        { binding: 6, resource: { buffer: buffers.dO } },
        { binding: 7, resource: { buffer: stats } },
        { binding: 8, resource: { buffer: buffers.dq } },
      ]),
    }),
  );
  pass.dispatchWorkgroups(...foldDispatch(dqRowTiles * seqCount(geometry), maxPerDim));

  const kvRowTiles = Math.ceil(geometry.lk / kvTiles.rows);
  const dkdv = attentionPipeline(device, 'attention_bwd_dkdv', dkdvSource, d, kvTiles);
  pass.setPipeline(dkdv);
  pass.setBindGroup(
    0,
    device.createBindGroup({
      label: 'attention_bwd_dkdv',
      layout: dkdv.getBindGroupLayout(0),
      entries: sharedEntries(device, uniforms('dkdv', kvRowTiles), buffers).concat([
        { binding: 6, resource: { buffer: buffers.dO } },
        { binding: 7, resource: { buffer: stats } },
        { binding: 8, resource: { buffer: buffers.dkv } },
      ]),
    }),
  );
  pass.dispatchWorkgroups(...foldDispatch(kvRowTiles * seqCount(geometry), maxPerDim));
  pass.end();
  return {
    done: () => {
      for (const buffer of temporaries) buffer.destroy();
    },
  };
}
