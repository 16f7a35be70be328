// MMCV's ConvModule for the zoo (compute worker): `conv` (no bias), optional `bn`, optional ReLU, under MMCV's
// state_dict names (<name>.conv.weight, <name>.bn.running_mean, …). `wrap` lets TSM put its shift around the conv
// (<name>.conv.net.weight).
import type { Rng } from '../../shared/random.ts';
import { BatchNorm3d, Conv3d, ReLU, type Conv3dOptions } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';

export interface ConvModuleOptions extends Omit<Conv3dOptions, 'bias' | 'init'> {
  /** BatchNorm after the conv; default true */
  readonly norm?: boolean;
  /** ReLU after the norm; default true */
  readonly relu?: boolean;
  /** initial BN weight γ; default 1 (0 for MMAction2's zero_init_residual) */
  readonly bnGamma?: number;
  /** wraps the conv (registered as `conv`), e.g. in a temporal shift */
  readonly wrap?: (conv: Conv3d) => Module;
}

export class ConvModule extends Module {
  private readonly conv: Module;
  private readonly bn: BatchNorm3d | null;
  private readonly act: Module | null;
  constructor(rng: Rng, inC: number, outC: number, o: ConvModuleOptions) {
    super();
    const { norm, relu, bnGamma, wrap, ...convOpts } = o;
    const conv = new Conv3d(rng, inC, outC, { ...convOpts, bias: false });
    this.conv = this.child('conv', wrap ? wrap(conv) : conv);
    this.bn = (norm ?? true) ? this.child('bn', new BatchNorm3d(outC, { gamma: bnGamma ?? 1 })) : null;
    this.act = (relu ?? true) ? new ReLU() : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    let y = this.conv.forward(x, ctx);
    if (this.bn) y = this.bn.forward(y, ctx);
    return this.act ? this.act.forward(y, ctx) : y;
  }
}
