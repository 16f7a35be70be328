// TEST-ONLY: a tiny conv3d classifier satisfying the VideoModel contract, for the training engine's tests (compute
// worker or Node). conv3d 3×3×3 (stride 1,2,2) → BatchNorm (batch stats when training) → ReLU → global mean → fc.
// The real models come from the model zoo (src/models/); nothing in the app may import this file.
import { tf } from '../../models/tf.ts';
import { batchNorm5dTrain } from '../../models/ops/batchNorm5d.ts';
import { Rng } from '../../shared/random.ts';
import type { FeatureVideoModel, VideoModel } from '../types.ts';

let instances = 0;

export class TinyVideoModel implements FeatureVideoModel {
  readonly name = 'tiny-test-conv3d';
  readonly headPrefix = 'fc';
  private readonly params = new Map<string, tf.Variable>();
  private readonly stats = new Map<string, tf.Variable>();
  private readonly id = instances++;

  constructor(
    readonly numClasses: number,
    seed: number,
    readonly width = 4,
  ) {
    const rng = new Rng(seed);
    const add = (
      map: Map<string, tf.Variable>,
      name: string,
      shape: number[],
      data: Float32Array,
      trainable: boolean,
    ): void => {
      map.set(name, tf.variable(tf.tensor(data, shape), trainable, `tiny${this.id}/${name}`));
    };
    const fanIn = 27 * 3;
    add(
      this.params,
      'conv1.weight',
      [3, 3, 3, 3, width],
      rng.float32(fanIn * width, -1 / Math.sqrt(fanIn), 1 / Math.sqrt(fanIn)),
      true,
    );
    add(this.params, 'bn1.weight', [width], new Float32Array(width).fill(1), true);
    add(this.params, 'bn1.bias', [width], new Float32Array(width), true);
    add(this.params, 'fc.weight', [numClasses, width], rng.float32(numClasses * width, -0.5, 0.5), true);
    add(this.params, 'fc.bias', [numClasses], new Float32Array(numClasses), true);
    add(this.stats, 'bn1.running_mean', [width], new Float32Array(width), false);
    add(this.stats, 'bn1.running_var', [width], new Float32Array(width).fill(1), false);
  }

  private v(name: string): tf.Variable {
    const v = this.params.get(name) ?? this.stats.get(name);
    if (!v) throw new Error(`tiny model: no variable ${name}`);
    return v;
  }

  features(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D {
    return tf.tidy(() => {
      const y = tf.conv3d(x, this.v('conv1.weight') as tf.Tensor5D, [1, 2, 2], 'same');
      const gamma = this.v('bn1.weight') as tf.Tensor1D;
      const beta = this.v('bn1.bias') as tf.Tensor1D;
      const rm = this.v('bn1.running_mean');
      const rv = this.v('bn1.running_var');
      let z: tf.Tensor5D;
      if (opts.training) {
        const bn = batchNorm5dTrain(y, gamma, beta, {
          runningMean: rm as tf.Tensor1D,
          runningVar: rv as tf.Tensor1D,
        });
        rm.assign(bn.newRunningMean);
        rv.assign(bn.newRunningVar);
        z = bn.y;
      } else {
        z = tf.add(tf.mul(tf.div(tf.sub(y, rm), tf.sqrt(tf.add(rv, 1e-5))), gamma), beta);
      }
      return tf.mean(tf.relu(z), [1, 2, 3]);
    });
  }

  head(features: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => tf.add(tf.matMul(features, this.v('fc.weight'), false, true), this.v('fc.bias')));
  }

  forward(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D {
    return tf.tidy(() => this.head(this.features(x, opts)));
  }

  parameters(): ReadonlyMap<string, tf.Variable> {
    return this.params;
  }

  buffers(): ReadonlyMap<string, tf.Variable> {
    return this.stats;
  }

  dispose(): void {
    for (const v of [...this.params.values(), ...this.stats.values()]) v.dispose();
    this.params.clear();
    this.stats.clear();
  }
}

/** TEST-ONLY: the same model without `features`/`head`, to exercise the generic linear-probe path. */
export function plainModel(m: TinyVideoModel): VideoModel {
  return {
    name: m.name,
    numClasses: m.numClasses,
    headPrefix: m.headPrefix,
    forward: (x, o) => m.forward(x, o),
    parameters: () => m.parameters(),
    buffers: () => m.buffers(),
    dispose: () => {
      m.dispose();
    },
  };
}
