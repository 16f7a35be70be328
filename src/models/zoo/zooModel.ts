// The VideoModel every zoo builder returns (compute worker): wraps the root module, caches its named variables,
// counts parameters and multiply-adds, and keeps the config it was built from (for bundles).
import { tf } from '../tf.ts';
import { Rng } from '../../shared/random.ts';
import type { LayerRow } from '../../shared/modelIo.ts';
import { layerTable } from './layerTable.ts';
import { real, SymbolicTensor, type Module, type NamedVariable, type VideoModel } from '../nn/module.ts';

export type Preset = 'full' | 'tiny';

export interface ModelConfig {
  readonly numClasses: number;
  /** scales every channel count (rounded, at least 1); default 1 (full) or the family's tiny width */
  readonly widthMultiplier?: number;
  /** 'tiny': fewer blocks and narrow widths for CPU-only tests; default 'full' (the published architecture) */
  readonly preset?: Preset;
  /** seeds initialisation and dropout; default 0 */
  readonly seed?: number;
}

/** Channel count scaled by a width multiplier. */
export function scaled(channels: number, multiplier: number): number {
  return Math.max(1, Math.round(channels * multiplier));
}

export class ZooModel implements VideoModel {
  private readonly params: Map<string, NamedVariable>;
  private readonly bufs: Map<string, NamedVariable>;
  private readonly dropoutRng: Rng;

  constructor(
    readonly name: string,
    readonly config: ModelConfig,
    readonly headPrefix: string,
    private readonly net: Module,
  ) {
    this.params = net.namedParameters();
    this.bufs = net.namedBuffers();
    this.dropoutRng = new Rng((config.seed ?? 0) ^ 0x5eed);
  }

  get numClasses(): number {
    return this.config.numClasses;
  }

  /** x: f32[N,T,H,W,C] → logits f32[N,numClasses]. */
  forward(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D {
    if (x.rank !== 5)
      throw new RangeError(`${this.name}: expected x f32[N,T,H,W,C], got [${x.shape.join(', ')}]`);
    return tf.tidy(
      () =>
        real(
          this.net.forward(x, { training: opts.training, rng: this.dropoutRng }),
          this.name,
        ) as tf.Tensor2D,
    );
  }

  parameters(): ReadonlyMap<string, tf.Variable> {
    return new Map([...this.params].map(([k, v]) => [k, v.variable]));
  }

  buffers(): ReadonlyMap<string, tf.Variable> {
    return new Map([...this.bufs].map(([k, v]) => [k, v.variable]));
  }

  /** Parameters then buffers with their layouts, PyTorch names (what a state_dict holds). */
  stateEntries(): ReadonlyMap<string, NamedVariable> {
    return new Map([...this.params, ...this.bufs]);
  }

  /** Number of trainable scalars (what torchvision's num_params counts). */
  paramCount(): number {
    let n = 0;
    for (const { variable } of this.params.values()) n += variable.size;
    return n;
  }

  /** Multiply-adds of conv and linear layers for input f32[N,T,H,W,C] (nothing is computed on the GPU). */
  macs(inputShape: readonly [number, number, number, number, number]): number {
    const counter = { macs: 0 };
    this.net.forward(new SymbolicTensor([...inputShape]), { training: false, counter });
    return counter.macs;
  }

  /** Leaf layers (name, kind, output shape, own parameters) for input f32[N,T,H,W,C] (shapes only). */
  layers(inputShape: readonly [number, number, number, number, number]): LayerRow[] {
    return layerTable(this.net, inputShape);
  }

  /** Elements of every conv layer's output for input f32[N,T,H,W,C] (symbolic; sizes training activations). */
  convOutputs(inputShape: readonly [number, number, number, number, number]): number {
    const counter = { macs: 0, outputs: 0 };
    this.net.forward(new SymbolicTensor([...inputShape]), { training: false, counter });
    return counter.outputs;
  }

  /** Submodules with dotted PyTorch names (what explanation code taps, e.g. 'layer4'). */
  namedModules(): [string, Module][] {
    return this.net.namedModules();
  }

  dispose(): void {
    this.net.dispose();
  }
}
