// MMCV/MMAction2 building blocks shared by the ResNet3D, CSN and SlowFast entries (compute worker): ConvModule
// (children `conv`, `bn`), the I3DHead/SlowFastHead classifier `fc_cls`, and a Recognizer3D with `backbone` and
// `cls_head` children, so parameter names equal MMAction2 state_dict keys. x: f32[N,T,H,W,C].
import type { Rng } from '../../shared/random.ts';
import { BatchNorm3d, Conv3d, Dropout, F, Linear, ReLU, type Triple } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';

export interface ConvModuleOptions {
  readonly kernel: number | Triple;
  readonly stride?: number | Triple;
  readonly padding?: number | Triple;
  readonly groups?: number;
  /** conv bias (mmcv's bias='auto': only where there is no norm) */
  readonly bias?: boolean;
  /** BN after the conv (MMAction2 norm_cfg=BN3d); false for the SlowFast lateral convs (norm_cfg=None) */
  readonly norm?: boolean;
  readonly relu?: boolean;
  readonly bnEps?: number;
  /** initial BN weight (0 for zero_init_residual) */
  readonly bnGamma?: number;
  /** the conv is nn.Conv2d in MMAction2 (C2D): 1×k×k here, [out, in, h, w] in state_dicts */
  readonly layout2d?: boolean;
}

/** mmcv ConvModule: conv (no bias, kaiming-normal fan_out) → optional BN → optional ReLU. */
export class ConvModule extends Module {
  readonly conv: Conv3d;
  private readonly bn: BatchNorm3d | null;
  private readonly relu: boolean;
  constructor(rng: Rng, inC: number, outC: number, opts: ConvModuleOptions) {
    super();
    this.conv = this.child(
      'conv',
      new Conv3d(rng, inC, outC, {
        kernel: opts.kernel,
        stride: opts.stride ?? 1,
        padding: opts.padding ?? 0,
        groups: opts.groups ?? 1,
        bias: opts.bias ?? false,
        layout2d: opts.layout2d ?? false,
      }),
    );
    this.bn =
      opts.norm === false
        ? null
        : this.child('bn', new BatchNorm3d(outC, { eps: opts.bnEps ?? 1e-5, gamma: opts.bnGamma ?? 1 }));
    this.relu = opts.relu ?? true;
  }
  forward(x: Act, ctx: RunContext): Act {
    let y = this.conv.forward(x, ctx);
    if (this.bn) y = this.bn.forward(y, ctx);
    return this.relu ? new ReLU().forward(y) : y;
  }
}

/** MMAction2's I3DHead / SlowFastHead after pooling: dropout then `fc_cls` (N(0, 0.01²), bias 0). x: f32[N,C]. */
export class ClsHead extends Module {
  private readonly dropout: Dropout;
  private readonly fc: Linear;
  constructor(rng: Rng, inChannels: number, numClasses: number, dropout = 0.5) {
    super();
    this.dropout = new Dropout(dropout);
    this.fc = this.child('fc_cls', new Linear(rng, inChannels, numClasses, 'normal_0.01'));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.fc.forward(this.dropout.forward(x, ctx), ctx);
  }
}

/** A backbone that ends in globally pooled features f32[N,C] (one pathway or the concatenation of several). */
export interface PooledBackbone extends Module {
  readonly featureChannels: number;
}

/** Recognizer3D: `backbone` (→ pooled f32[N,C]) then `cls_head`. */
export class Recognizer3D extends Module {
  private readonly backbone: PooledBackbone;
  private readonly head: ClsHead;
  constructor(rng: Rng, backbone: PooledBackbone, numClasses: number) {
    super();
    this.backbone = this.child('backbone', backbone);
    this.head = this.child('cls_head', new ClsHead(rng, backbone.featureChannels, numClasses));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.forward(this.backbone.forward(x, ctx), ctx);
  }
}

/** F.add then ReLU: the residual join of every block. */
export function addRelu(a: Act, b: Act): Act {
  return F.relu(F.add(a, b));
}
