// MMAction2's C3D recognizer (compute worker) under its state_dict names: backbone.conv1a.conv.weight, …,
// backbone.fc6/fc7, cls_head.fc_cls. Eight 3×3×3 convs with bias and ReLU, five max pools, two 4096-wide FCs
// with dropout 0.5, then the head (dropout 0.5, linear). fc6 sees 512×1×4×4 = 8192 features of a 16×112×112 clip.
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import { Dropout, Linear, MaxPool3d, ReLU } from '../nn/layers.ts';
import { isSymbolic, Module, SymbolicTensor, type Act, type RunContext } from '../nn/module.ts';
import { ConvModule } from './convModule.ts';
import { scaled, ZooModel, type ModelConfig } from './zooModel.ts';

/** MMCV ConvModule without norm: `conv` (3×3×3, padding 1, bias, PyTorch's default init) then ReLU. */
const c3dConv = { kernel: 3, padding: 1, bias: true, init: 'torch_default', norm: false } as const;

/** Flattens f32[N,T,H,W,C] in PyTorch's (C, T, H, W) order, so fc6 weights keep PyTorch's column order. */
class FlattenNcthw extends Module {
  forward(x: Act): Act {
    const [n = 0, ...rest] = x.shape;
    const size = rest.reduce((a, b) => a * b, 1);
    if (isSymbolic(x)) return new SymbolicTensor([n, size]);
    return tf.reshape(tf.transpose(x, [0, 4, 1, 2, 3]), [n, size]);
  }
}

class C3DBackbone extends Module {
  private readonly steps: Module[] = [];
  constructor(rng: Rng, m: number, fc6In: (c5: number) => number, hidden: number) {
    super();
    const w = (c: number): number => scaled(c, m);
    const plan: [string, number, number][] = [
      ['conv1a', 3, w(64)],
      ['conv2a', w(64), w(128)],
      ['conv3a', w(128), w(256)],
      ['conv3b', w(256), w(256)],
      ['conv4a', w(256), w(512)],
      ['conv4b', w(512), w(512)],
      ['conv5a', w(512), w(512)],
      ['conv5b', w(512), w(512)],
    ];
    const pools: Record<string, MaxPool3d> = {
      conv1a: new MaxPool3d([1, 2, 2], [1, 2, 2]),
      conv2a: new MaxPool3d(2, 2),
      conv3b: new MaxPool3d(2, 2),
      conv4b: new MaxPool3d(2, 2),
      conv5b: new MaxPool3d(2, 2, [0, 1, 1]),
    };
    for (const [name, inC, outC] of plan) {
      this.steps.push(this.child(name, new ConvModule(rng, inC, outC, c3dConv)));
      const pool = pools[name];
      if (pool) this.steps.push(pool);
    }
    this.steps.push(new FlattenNcthw());
    this.steps.push(this.child('fc6', new Linear(rng, fc6In(w(512)), hidden)), new ReLU(), new Dropout(0.5));
    this.steps.push(this.child('fc7', new Linear(rng, hidden, hidden)), new ReLU(), new Dropout(0.5));
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.steps.reduce((y, s) => s.forward(y, ctx), x);
  }
}

class C3DRecognizer extends Module {
  private readonly backbone: C3DBackbone;
  private readonly head: Module[];
  constructor(rng: Rng, m: number, tiny: boolean, numClasses: number) {
    super();
    // full: 16×112×112 → 512×1×4×4 before fc6; tiny: 16×32×32 → c×1×2×2
    const hidden = tiny ? 64 : 4096;
    this.backbone = this.child('backbone', new C3DBackbone(rng, m, (c) => c * (tiny ? 4 : 16), hidden));
    const cls = new (class extends Module {
      readonly fc: Linear;
      constructor() {
        super();
        this.fc = this.child('fc_cls', new Linear(rng, hidden, numClasses));
      }
      forward(x: Act, ctx: RunContext): Act {
        return this.fc.forward(x, ctx);
      }
    })();
    this.head = [new Dropout(0.5), this.child('cls_head', cls)];
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.head.reduce((y, s) => s.forward(y, ctx), this.backbone.forward(x, ctx));
  }
}

/** MMAction2's C3D (clips of 16×112×112 exactly: fc6 is tied to that size); tiny: width × 1/8, 16×32×32 clips. */
export function buildC3D(config: ModelConfig): ZooModel {
  const tiny = config.preset === 'tiny';
  const m = config.widthMultiplier ?? (tiny ? 1 / 8 : 1);
  const net = new C3DRecognizer(new Rng(config.seed ?? 0), m, tiny, config.numClasses);
  return new ZooModel('c3d', config, 'cls_head.fc_cls', net);
}
