// MMAction2's 2-D ResNet-50 backbone (`ResNet`, and `ResNetTSM` with a temporal shift before each block's conv1)
// run frame by frame on f32[N,T,H,W,C] (compute worker): convs have temporal kernel 1 and PyTorch 2-D weight
// layouts, BN statistics pool every frame of the batch (BatchNorm2d over N·T images). Names: conv1.conv.weight,
// layer1.0.conv1.conv.weight (TSM: layer1.0.conv1.conv.net.weight), layer1.0.downsample.bn.running_var, ….
// Hooks let TIN wrap each conv1's conv and TANet wrap each block (tin.ts, tanet.ts).
import type { Rng } from '../../shared/random.ts';
import { F, MaxPool3d, type Conv3d } from '../nn/layers.ts';
import { Module, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { TemporalShift } from '../nn/temporalShift.ts';
import { ConvModule } from './convModule.ts';
import { scaled } from './zooModel.ts';

/** Bottleneck (style 'pytorch': the stride sits on the 3×3 conv), expansion 4. */
export class Bottleneck extends Module {
  private readonly conv1: ConvModule;
  private readonly conv2: ConvModule;
  private readonly conv3: ConvModule;
  private readonly downsample: ConvModule | null;
  constructor(
    rng: Rng,
    inplanes: number,
    readonly planes: number,
    stride: number,
    wrapConv1?: (conv: Conv3d) => Module,
  ) {
    super();
    const k1 = { kernel: 1, layout2d: true } as const;
    this.conv1 = this.child(
      'conv1',
      new ConvModule(rng, inplanes, planes, { ...k1, ...(wrapConv1 ? { wrap: wrapConv1 } : {}) }),
    );
    this.conv2 = this.child(
      'conv2',
      new ConvModule(rng, planes, planes, {
        kernel: [1, 3, 3],
        stride: [1, stride, stride],
        padding: [0, 1, 1],
        layout2d: true,
      }),
    );
    this.conv3 = this.child('conv3', new ConvModule(rng, planes, planes * 4, { ...k1, relu: false }));
    this.downsample =
      stride !== 1 || inplanes !== planes * 4
        ? this.child(
            'downsample',
            new ConvModule(rng, inplanes, planes * 4, { ...k1, stride: [1, stride, stride], relu: false }),
          )
        : null;
  }
  /** `afterConv1`: applied between conv1 (with its ReLU) and conv2 (TANet's TAM). */
  forward(x: Act, ctx: RunContext, afterConv1?: (y: Act) => Act): Act {
    const y1 = this.conv1.forward(x, ctx);
    const out = this.conv3.forward(this.conv2.forward(afterConv1 ? afterConv1(y1) : y1, ctx), ctx);
    return F.relu(F.add(out, this.downsample ? this.downsample.forward(x, ctx) : x));
  }
}

export interface ResNet2dOptions {
  /** blocks per stage; ResNet-50: [3, 4, 6, 3] */
  readonly blocks: readonly number[];
  readonly widthMultiplier: number;
  /** TSM's shift_div (shift before every block's conv1, 'blockres'); null: plain ResNet (TSN) */
  readonly shiftDiv: number | null;
  /** wraps each block's conv1 conv, given the block's inplanes (TIN: CombineNet(interlace, conv)) */
  readonly wrapConv1?: (conv: Conv3d, inplanes: number) => Module;
  /** wraps each block, registered in its place (TANet: TABlock(block, tam)) */
  readonly wrapBlock?: (block: Bottleneck) => Module;
}

/** x f32[N,T,H,W,3] → features f32[N,T,H/32,W/32,featDim]. */
export class ResNet2d extends Module {
  private readonly steps: Module[] = [];
  readonly featDim: number;
  constructor(rng: Rng, o: ResNet2dOptions) {
    super();
    const w0 = scaled(64, o.widthMultiplier);
    this.steps.push(
      this.child(
        'conv1',
        new ConvModule(rng, 3, w0, {
          kernel: [1, 7, 7],
          stride: [1, 2, 2],
          padding: [0, 3, 3],
          layout2d: true,
        }),
      ),
      new MaxPool3d([1, 3, 3], [1, 2, 2], [0, 1, 1]),
    );
    let inplanes = w0;
    o.blocks.forEach((count, i) => {
      const planes = scaled(64 * 2 ** i, o.widthMultiplier);
      const layer = new Sequential();
      for (let b = 0; b < count; b++) {
        const [wrap, shiftDiv, cin] = [o.wrapConv1, o.shiftDiv, inplanes];
        const wrapConv1 = wrap
          ? (conv: Conv3d) => wrap(conv, cin)
          : shiftDiv !== null
            ? (conv: Conv3d) => new TemporalShift(conv, shiftDiv)
            : undefined;
        const block = new Bottleneck(rng, inplanes, planes, i > 0 && b === 0 ? 2 : 1, wrapConv1);
        layer.push(o.wrapBlock ? o.wrapBlock(block) : block);
        inplanes = planes * 4;
      }
      this.steps.push(this.child(`layer${i + 1}`, layer));
    });
    this.featDim = inplanes;
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.steps.reduce((y, s) => s.forward(y, ctx), x);
  }
}
