// MMAction2's TIN-R50 (compute worker): ResNetTIN = TSN's 2-D ResNet-50 whose every Bottleneck conv1 conv is
// CombineNet(net1 = TemporalInterlace(inplanes, shift_div 4), net2 = the conv) (`backbone.layerN.M.conv1.conv.net1.
// offset_net.conv.weight`, `….conv.net2.weight`), TSMHead (dropout 0.5, fc N(0, 0.001)). x f32[N,T,H,W,3], T = 8.
import { Module, type Act, type RunContext } from '../nn/module.ts';
import { TemporalInterlace } from '../nn/temporalInterlace.ts';
import { buildRecognizer2D } from './tsn.ts';
import type { ModelConfig, ZooModel } from './zooModel.ts';

/** CombineNet: net1 then net2. */
class CombineNet extends Module {
  constructor(
    private readonly net1: Module,
    private readonly net2: Module,
  ) {
    super();
    this.child('net1', net1);
    this.child('net2', net2);
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.net2.forward(this.net1.forward(x, ctx), ctx);
  }
}

/**
 * TIN-R50 (8 segments); tiny: width × 1/8, one block per stage, 4 segments, shift_div 2 (the interlace needs
 * C/shift_div divisible by 4: layer1.0 sees 8 channels).
 */
export function buildTIN(config: ModelConfig): ZooModel {
  return buildRecognizer2D('tin_r50', config, (rng, tiny) => {
    const segments = tiny ? 4 : 8;
    return {
      backbone: {
        shiftDiv: null,
        wrapConv1: (conv, inplanes) =>
          new CombineNet(new TemporalInterlace(rng, inplanes, segments, tiny ? 2 : 4), conv),
      },
      dropout: 0.5,
      init: 'normal_0.001',
      segments,
    };
  });
}
