// MMAction2 building blocks shared by the ResNet3D, CSN and SlowFast entries (compute worker): the
// I3DHead/SlowFastHead classifier `fc_cls` and a Recognizer3D with `backbone` and `cls_head` children, so parameter
// names equal MMAction2 state_dict keys (MMCV's ConvModule is in convModule.ts). x: f32[N,T,H,W,C].
import type { Rng } from '../../shared/random.ts';
import { Dropout, F, Linear } from '../nn/layers.ts';
import { Module, type Act, type RunContext } from '../nn/module.ts';

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
