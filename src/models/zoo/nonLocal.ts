// mmcv's NonLocal3d (compute worker), as MMAction2's I3D non-local configs build it inside ResNet3d blocks
// (`non_local_block`): g, theta, phi (1×1×1 convs with bias; g and phi followed by a (1,2,2) max pool when
// sub_sample, hence `g.0` / `phi.0`), pairwise weights, and conv_out (1×1×1 conv + BN) added to the input.
// x: f32[N,T,H,W,C]; the attention runs on [N, T·H·W, C/2] matrices.
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';
import { F, MaxPool3d } from '../nn/layers.ts';
import { isSymbolic, Module, real, Sequential, type Act, type RunContext } from '../nn/module.ts';
import { ConvModule } from './convModule.ts';

export interface NonLocalOptions {
  /** 'embedded_gaussian': softmax(θφᵀ [/√C']); 'dot_product': θφᵀ / L' */
  readonly mode: 'embedded_gaussian' | 'dot_product';
  readonly useScale: boolean;
  readonly subSample: boolean;
}

export class NonLocal3d extends Module {
  private readonly inter: number;
  private readonly g: Module;
  private readonly theta: ConvModule;
  private readonly phi: Module;
  private readonly convOut: ConvModule;
  constructor(
    rng: Rng,
    channels: number,
    private readonly opts: NonLocalOptions,
  ) {
    super();
    this.inter = Math.max(1, Math.floor(channels / 2));
    const proj = (): ConvModule =>
      new ConvModule(rng, channels, this.inter, { kernel: 1, norm: false, relu: false, bias: true });
    const pooled = (m: ConvModule): Module =>
      opts.subSample ? new Sequential(m, new MaxPool3d([1, 2, 2], [1, 2, 2])) : m;
    this.g = this.child('g', pooled(proj()));
    this.convOut = this.child(
      'conv_out',
      new ConvModule(rng, this.inter, channels, { kernel: 1, relu: false }),
    );
    this.theta = this.child('theta', proj());
    this.phi = this.child('phi', pooled(proj()));
  }

  forward(x: Act, ctx: RunContext): Act {
    const g = this.g.forward(x, ctx);
    const theta = this.theta.forward(x, ctx);
    const phi = this.phi.forward(x, ctx);
    const [n = 0, t = 0, h = 0, w = 0] = x.shape;
    const c = this.inter;
    const rows = t * h * w;
    const cols = phi.shape.slice(1, 4).reduce((a, b) => a * b, 1);
    let y: Act;
    if (isSymbolic(x)) {
      y = this.convOut.forward(theta, ctx); // shape only: θ has y's shape [N,T,H,W,C']
    } else {
      const th = tf.reshape(real(theta, 'NonLocal3d'), [n, rows, c]);
      const ph = tf.reshape(real(phi, 'NonLocal3d'), [n, cols, c]);
      const gx = tf.reshape(real(g, 'NonLocal3d'), [n, cols, c]);
      let pairwise = tf.matMul(th, ph, false, true); // [N, L, L']
      if (this.opts.mode === 'embedded_gaussian') {
        if (this.opts.useScale) pairwise = tf.mul(pairwise, 1 / Math.sqrt(c));
        pairwise = tf.softmax(pairwise);
      } else {
        pairwise = tf.div(pairwise, cols);
      }
      const attended = tf.reshape(tf.matMul(pairwise, gx), [n, t, h, w, c]);
      y = this.convOut.forward(attended, ctx);
    }
    return F.add(x, y);
  }
}
