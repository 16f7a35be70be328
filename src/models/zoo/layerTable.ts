// Per-layer table of a zoo model (compute worker): every leaf module's name, kind, output shape and parameters,
// from one symbolic (shape-only) forward pass; nothing touches the GPU.
import { SymbolicTensor, type Act, type Module, type RunContext } from '../nn/module.ts';
import {
  AvgPool3d,
  BatchNorm3d,
  Conv3d,
  Dropout,
  GlobalAvgPool,
  Linear,
  MaxPool3d,
  ReLU,
} from '../nn/layers.ts';
import type { LayerRow } from '../../shared/modelIo.ts';

// Class names do not survive minification, so kinds are named here.
const KINDS: readonly (readonly [abstract new (...args: never[]) => Module, string])[] = [
  [Conv3d, 'Conv3d'],
  [BatchNorm3d, 'BatchNorm3d'],
  [Linear, 'Linear'],
  [ReLU, 'ReLU'],
  [MaxPool3d, 'MaxPool3d'],
  [AvgPool3d, 'AvgPool3d'],
  [GlobalAvgPool, 'GlobalAvgPool'],
  [Dropout, 'Dropout'],
];

function kindOf(m: Module): string {
  return KINDS.find(([cls]) => m instanceof cls)?.[1] ?? 'Module';
}

type Forward = (x: Act, ctx: RunContext) => Act;

/** Leaf layers in execution order for one clip of `input` = [N,T,H,W,C] through `root`. */
export function layerTable(root: Module, input: readonly number[]): LayerRow[] {
  const rows: LayerRow[] = [];
  const patched: Module[] = [];
  for (const [name, m] of root.namedModules()) {
    if (!m.isLeaf()) continue;
    const original: Forward = m.forward.bind(m);
    const traced: Forward = (x, ctx) => {
      const y = original(x, ctx);
      rows.push({ name, kind: kindOf(m), outputShape: [...y.shape], params: m.ownParamCount() });
      return y;
    };
    Object.defineProperty(m, 'forward', { value: traced, configurable: true, writable: true });
    patched.push(m);
  }
  try {
    root.forward(new SymbolicTensor([...input]), { training: false, counter: { macs: 0 } });
  } finally {
    for (const m of patched) delete (m as { forward?: unknown }).forward;
  }
  return rows;
}
