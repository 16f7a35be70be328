// MMCV's ConvModule for the zoo (compute worker): `conv` (no bias unless asked), optional `bn`, optional ReLU, under
// MMCV's state_dict names (<name>.conv.weight, <name>.bn.running_mean, …). `wrap` lets TSM put its shift around the
// conv (<name>.conv.net.weight). Every MMAction2-style family (ResNet3D, CSN, SlowFast, non-local, C3D, X3D, TSN/TSM)
// builds its convs with this one class.
import type { Rng } from '../../shared/random.ts';
import { BatchNorm3d, Conv3d, ReLU, type Conv3dOptions } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';

export interface ConvModuleOptions extends Conv3dOptions {
  /** BatchNorm after the conv; default true */
  readonly norm?: boolean;
  /** ReLU after the norm; default true */
  readonly relu?: boolean;
  /** BatchNorm epsilon; default 1e-5 (CSN uses 1e-3) */
  readonly bnEps?: number;
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
    const { norm, relu, bnEps, bnGamma, wrap, ...convOpts } = o;
    // mmcv's bias='auto' is "no bias where a norm follows"; callers without a norm say bias: true
    const conv = new Conv3d(rng, inC, outC, { ...convOpts, bias: convOpts.bias ?? false });
    this.conv = this.child('conv', wrap ? wrap(conv) : conv);
    this.bn =
      (norm ?? true)
        ? this.child('bn', new BatchNorm3d(outC, { eps: bnEps ?? 1e-5, gamma: bnGamma ?? 1 }))
        : null;
    this.act = (relu ?? true) ? new ReLU() : null;
  }
  forward(x: Act, ctx: RunContext): Act {
    let y = this.conv.forward(x, ctx);
    if (this.bn) y = this.bn.forward(y, ctx);
    return this.act ? this.act.forward(y, ctx) : y;
  }
}
