import { it } from 'vitest';
import { acquireGpu } from '../../device.ts';
import common from './attention_common.wgsl?raw';
import source from './attention.wgsl?raw';
import { constPrelude, hoistEnables, specialiseWgsl } from './wgslTemplate.ts';
it('probe', { timeout: 590_000 }, async () => {
  const { device } = await acquireGpu();
  const fwd = (d4: number, lanes: number, bc: number, sg: boolean, dyn: boolean, tag: string) => {
    let src = source;
    if (dyn) src = src.replaceAll('w < W4;', 'w < max(P.pad1.x, W4);').replaceAll('jl < BC;', 'jl < max(P.pad1.y, BC);').replace('fn main(', 'fn main(').replace('x < LANES;', 'x < max(P.pad1.z, LANES);');
    return hoistEnables(specialiseWgsl([constPrelude({ D4: d4, LANES: lanes, W4: d4 / lanes, ROWS: 64 / lanes, WG: 64, BC: bc }), common, src, '//' + tag].join('\n'), { SUBGROUPS: sg }));
  };
  const list: [string, string][] = [['fwd16_4_4', fwd(16, 4, 4, false, false, 'a')], ['fwd16_4_4dyn', fwd(16, 4, 4, false, true, 'a')], ['fwd16_4_16', fwd(16, 4, 16, false, false, 'b')], ['fwd16_4_16dyn', fwd(16, 4, 16, false, true, 'b')], ['fwd32_4_4sg', fwd(32, 4, 4, true, false, 'c')], ['fwd32_4_4sgdyn', fwd(32, 4, 4, true, true, 'c')]];
  for (const [name, code] of list) {
    const t0 = performance.now();
    const module = device.createShaderModule({ code });
    await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    console.log('variant', name, (performance.now() - t0).toFixed(0));
  }
});
