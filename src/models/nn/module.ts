// The module system of the model zoo (compute worker): modules own TF.js variables under PyTorch state_dict
// names, run on NDHWC tensors, and can also run "symbolically" on shapes only to count multiply-adds.
import { tf } from '../tf.ts';
import type { Rng } from '../../shared/random.ts';

/** What every zoo model offers the training and export code. Tensors are NDHWC, float32. */
export interface VideoModel {
  /** registry name, e.g. 'r3d_18' */
  readonly name: string;
  readonly numClasses: number;
  /** x: f32[N,T,H,W,C] normalised → logits f32[N,numClasses]. training=true: BN uses batch stats and updates
   *  running stats; dropout on. */
  forward(x: tf.Tensor5D, opts: { training: boolean }): tf.Tensor2D;
  /** trainable variables keyed by PyTorch state_dict names (torchvision/MMAction2 convention), TF.js layout */
  parameters(): ReadonlyMap<string, tf.Variable>;
  /** non-trainable state (BN running_mean/var, num_batches_tracked) keyed by PyTorch names */
  buffers(): ReadonlyMap<string, tf.Variable>;
  /** name of the classifier head's params prefix (e.g. 'fc'), for linear probe / new heads */
  readonly headPrefix: string;
  dispose(): void;
}

/** A tensor that only has a shape: what modules pass around when counting multiply-adds. */
export class SymbolicTensor {
  constructor(readonly shape: number[]) {}
}
export type Act = tf.Tensor | SymbolicTensor;

export interface RunContext {
  readonly training: boolean;
  /** multiply-adds accumulated by conv and linear layers (symbolic runs); `outputs`: conv output elements */
  readonly counter?: { macs: number; outputs?: number };
  /** seeds dropout masks when given */
  readonly rng?: Rng;
}

/** How a parameter is stored here vs in PyTorch (for import/export). */
export type ParamLayout =
  | { readonly kind: 'conv3d' } // TF [t,h,w,in/g,out] ↔ PyTorch [out,in/g,t,h,w]
  | { readonly kind: 'conv2d' } // a 2-D conv run as Conv3d: TF [1,h,w,in/g,out] ↔ PyTorch [out,in/g,h,w]
  | { readonly kind: 'linear' } // TF [in,out] ↔ PyTorch [out,in]
  | { readonly kind: 'conv1d' } // nn.Conv1d: TF [k,in,out] ↔ PyTorch [out,in,k]
  | { readonly kind: 'plain' }; // identical (vectors, scalars)

export interface NamedVariable {
  readonly variable: tf.Variable;
  readonly layout: ParamLayout;
}

export abstract class Module {
  private readonly ownParams = new Map<string, NamedVariable>();
  private readonly ownBuffers = new Map<string, NamedVariable>();
  private readonly kids = new Map<string, Module>();

  abstract forward(x: Act, ctx: RunContext): Act;

  protected param(name: string, value: tf.Tensor, layout: ParamLayout = { kind: 'plain' }): tf.Variable {
    const variable = tf.variable(value, true);
    value.dispose();
    this.ownParams.set(name, { variable, layout });
    return variable;
  }

  protected buffer(name: string, value: tf.Tensor): tf.Variable {
    const variable = tf.variable(value, false);
    value.dispose();
    this.ownBuffers.set(name, { variable, layout: { kind: 'plain' } });
    return variable;
  }

  /** Registers a submodule under `name` (PyTorch attribute name or Sequential index). */
  protected child<M extends Module>(name: string | number, m: M): M {
    this.kids.set(String(name), m);
    return m;
  }

  /** Parameters of this module and its descendants, PyTorch names, registration order. */
  namedParameters(prefix = ''): Map<string, NamedVariable> {
    return this.collect(prefix, (m) => m.ownParams);
  }

  namedBuffers(prefix = ''): Map<string, NamedVariable> {
    return this.collect(prefix, (m) => m.ownBuffers);
  }

  /** Descendants with dotted names, depth first (PyTorch named_modules order, this module excluded). */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [name, kid] of this.kids)
      out.push([prefix + name, kid], ...kid.namedModules(`${prefix}${name}.`));
    return out;
  }

  /** True when the module has no submodules. */
  isLeaf(): boolean {
    return this.kids.size === 0;
  }

  /** Trainable scalars held by this module itself (not its submodules). */
  ownParamCount(): number {
    let n = 0;
    for (const { variable } of this.ownParams.values()) n += variable.size;
    return n;
  }

  private collect(
    prefix: string,
    own: (m: Module) => Map<string, NamedVariable>,
    out = new Map<string, NamedVariable>(),
  ): Map<string, NamedVariable> {
    for (const [name, v] of own(this)) out.set(prefix + name, v);
    for (const [name, kid] of this.kids) kid.collect(`${prefix}${name}.`, own, out);
    return out;
  }

  dispose(): void {
    for (const { variable } of this.ownParams.values()) variable.dispose();
    for (const { variable } of this.ownBuffers.values()) variable.dispose();
    for (const kid of this.kids.values()) kid.dispose();
  }
}

/** Modules run one after another; children are named 0, 1, 2, … as nn.Sequential. */
export class Sequential extends Module {
  private readonly items: Module[] = [];
  constructor(...items: Module[]) {
    super();
    for (const m of items) this.push(m);
  }
  push(m: Module): this {
    this.child(this.items.length, m);
    this.items.push(m);
    return this;
  }
  forward(x: Act, ctx: RunContext): Act {
    return this.items.reduce((y, m) => m.forward(y, ctx), x);
  }
}

export function isSymbolic(x: Act): x is SymbolicTensor {
  return x instanceof SymbolicTensor;
}

/** The tensor behind `x`, or a clear error when a module got a symbolic input where a real one is needed. */
export function real(x: Act, where: string): tf.Tensor {
  if (isSymbolic(x)) throw new Error(`${where}: expected a tensor, got a symbolic shape`);
  return x;
}
