// MMAction2's TSN-R50 and TSM-R50 recognizers (compute worker): a 2-D ResNet-50 on every frame of x f32[N,T,H,W,3]
// (T = the segments: num_clips × clip_len frames of a video, 8 in the 1x1x8 configs), spatial average pooling, the
// average consensus over segments and `cls_head.fc_cls`. TSNHead: dropout 0.4, fc N(0, 0.01); TSMHead: dropout 0.5,
// fc N(0, 0.001). The fc is linear, so pooling before it (TSN) or averaging its outputs (TSM) is the same function.
import { Rng } from '../../shared/random.ts';
import { Dropout, F, Linear, type LinearInit } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';
import { ResNet2d } from './resnet2d.ts';
import { ZooModel, type ModelConfig } from './zooModel.ts';

class ClsHead extends Module {
  private readonly fc: Linear;
  private readonly dropout: Dropout;
  constructor(rng: Rng, inC: number, numClasses: number, dropout: number, init: LinearInit) {
    super();
    this.dropout = new Dropout(dropout);
    this.fc = this.child('fc_cls', new Linear(rng, inC, numClasses, init));
  }
  forward(x: Act, ctx: RunContext): Act {
    // AvgConsensus over the segments of the spatially pooled features = the mean over T, H, W
    return this.fc.forward(this.dropout.forward(F.meanThw(x), ctx), ctx);
  }
}

class Recognizer2D extends Module {
  private readonly backbone: ResNet2d;
  private readonly head: ClsHead;
  constructor(rng: Rng, tsm: boolean, m: number, tiny: boolean, numClasses: number) {
    super();
    const blocks = tiny ? [1, 1, 1, 1] : [3, 4, 6, 3];
    this.backbone = this.child(
      'backbone',
      new ResNet2d(rng, { blocks, widthMultiplier: m, shiftDiv: tsm ? 8 : null }),
    );
    this.head = this.child(
      'cls_head',
      new ClsHead(
        rng,
        this.backbone.featDim,
        numClasses,
        tsm ? 0.5 : 0.4,
        tsm ? 'normal_0.001' : 'normal_0.01',
      ),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

function build(name: 'tsn_r50' | 'tsm_r50', config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const net = new Recognizer2D(new Rng(config.seed ?? 0), name === 'tsm_r50', m, tiny, config.numClasses);
  return new ZooModel(name, config, 'cls_head', net);
}

/** TSN-R50 (ResNet + TSNHead); tiny: width × 1/8, one block per stage. */
export const buildTSN = (config: ModelConfig): ZooModel => build('tsn_r50', config);
/** TSM-R50 (ResNetTSM, shift_div 8 'blockres' + TSMHead); tiny: width × 1/8, one block per stage. */
export const buildTSM = (config: ModelConfig): ZooModel => build('tsm_r50', config);
