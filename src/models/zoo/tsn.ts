// MMAction2's TSN-R50 and TSM-R50 recognizers (compute worker): a 2-D ResNet-50 on every frame of x f32[N,T,H,W,3]
// (T = the segments: num_clips × clip_len frames of a video, 8 in the 1x1x8 configs), spatial average pooling, the
// average consensus over segments and `cls_head.fc_cls`. TSNHead: dropout 0.4, fc N(0, 0.01); TSMHead: dropout 0.5,
// fc N(0, 0.001). The fc is linear, so pooling before it (TSN) or averaging its outputs (TSM) is the same function.
// `buildRecognizer2D` is the same recognizer with other temporal hooks (TIN, TANet).
import { Rng } from '../../shared/random.ts';
import { Dropout, F, Linear, type LinearInit } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';
import { ResNet2d, type ResNet2dOptions } from './resnet2d.ts';
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

export interface Recognizer2DSpec {
  /** the backbone's temporal hooks (TSM's shift, TIN's interlace, TANet's TAM) */
  readonly backbone: Pick<ResNet2dOptions, 'shiftDiv' | 'wrapConv1' | 'wrapBlock'>;
  readonly dropout: number;
  readonly init: LinearInit;
  /** T the temporal modules were built for (TANet, TIN: their layers are sized by it); default any */
  readonly segments?: number;
}

class Recognizer2D extends Module {
  private readonly backbone: ResNet2d;
  private readonly head: ClsHead;
  constructor(
    rng: Rng,
    private readonly spec: Recognizer2DSpec,
    m: number,
    tiny: boolean,
    numClasses: number,
  ) {
    super();
    const blocks = tiny ? [1, 1, 1, 1] : [3, 4, 6, 3];
    this.backbone = this.child(
      'backbone',
      new ResNet2d(rng, { blocks, widthMultiplier: m, ...spec.backbone }),
    );
    this.head = this.child(
      'cls_head',
      new ClsHead(rng, this.backbone.featDim, numClasses, spec.dropout, spec.init),
    );
  }
  forward(x: Act, ctx: RunContext): Act {
    const { segments } = this.spec;
    if (segments !== undefined && x.shape[1] !== segments) {
      throw new RangeError(`built for ${segments} segments, got T=${x.shape[1] ?? '?'}`);
    }
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

/**
 * A 2-D ResNet-50 recognizer (TSN's head: pooling, average consensus, fc_cls) with the family's temporal hooks.
 * `spec` gets the family's Rng and whether the tiny preset (one block per stage, width × tinyWidth) is built.
 */
export function buildRecognizer2D(
  name: string,
  config: ModelConfig,
  spec: (rng: Rng, tiny: boolean) => Recognizer2DSpec,
  tinyWidth = 1 / 8,
): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? tinyWidth : 1);
  const rng = new Rng(config.seed ?? 0);
  const net = new Recognizer2D(rng, spec(rng, tiny), m, tiny, config.numClasses);
  return new ZooModel(name, config, 'cls_head', net);
}

const build = (name: 'tsn_r50' | 'tsm_r50', config: ModelConfig): ZooModel =>
  buildRecognizer2D(name, config, () =>
    name === 'tsm_r50'
      ? { backbone: { shiftDiv: 8 }, dropout: 0.5, init: 'normal_0.001' }
      : { backbone: { shiftDiv: null }, dropout: 0.4, init: 'normal_0.01' },
  );

/** TSN-R50 (ResNet + TSNHead); tiny: width × 1/8, one block per stage. */
export const buildTSN = (config: ModelConfig): ZooModel => build('tsn_r50', config);
/** TSM-R50 (ResNetTSM, shift_div 8 'blockres' + TSMHead); tiny: width × 1/8, one block per stage. */
export const buildTSM = (config: ModelConfig): ZooModel => build('tsm_r50', config);
