// Benchmark cases for the Conv3D kernels (compute worker or Node): R3D-18 layer shapes and an X3D-like
// depthwise layer; ours and the stock TF.js WebGPU kernels run through the same TF.js kernel names.
import { Rng } from '../shared/random.ts';
import { conv3dFlops, conv3dGeometry, type Triple } from '../gpu/kernels/conv3d/geometry.ts';
import { geometryFromTf, setConv3dImplementation } from '../models/ops/conv3d.ts';
import { pretuneConv3d } from '../models/ops/conv3dAutotune.ts';
import {
  depthwiseConv3d,
  GROUPED_CONV3D_BACKPROP_FILTER,
  GROUPED_CONV3D_BACKPROP_INPUT,
} from '../models/ops/groupedConv3d.ts';
import { tf } from '../models/tf.ts';
import type { BenchCase, PreparedCase } from './harness.ts';

interface LayerShape {
  readonly name: string;
  readonly x: readonly [number, number, number, number, number];
  readonly k: Triple;
  readonly cout: number;
  readonly strides: Triple;
}

/**
 * R3D-18's distinct layers at their real input sizes for a d×hw×hw clip: the stem (stride (1,2,2)), stage 1's
 * 3×3×3 conv, and the first (stride-2) conv of stages 2–4; sizes follow the network's ceil-mode downsampling.
 */
export function r3dLayers(batch: number, d: number, hw: number): LayerShape[] {
  const down = (n: number, times: number): number => (times === 0 ? n : down(Math.ceil(n / 2), times - 1));
  const at = (c: number, dDown: number, sDown: number): [number, number, number, number, number] => [
    batch,
    down(d, dDown),
    down(hw, sDown),
    down(hw, sDown),
    c,
  ];
  return [
    { name: 'stem 3→64', x: at(3, 0, 0), k: [3, 7, 7], cout: 64, strides: [1, 2, 2] },
    { name: '64→64', x: at(64, 0, 1), k: [3, 3, 3], cout: 64, strides: [1, 1, 1] },
    { name: '64→128 s2', x: at(64, 0, 1), k: [3, 3, 3], cout: 128, strides: [2, 2, 2] },
    { name: '128→256 s2', x: at(128, 1, 2), k: [3, 3, 3], cout: 256, strides: [2, 2, 2] },
    { name: '256→512 s2', x: at(256, 2, 3), k: [3, 3, 3], cout: 512, strides: [2, 2, 2] },
  ];
}

/** The zoo's toy_r3d at the toy preset's batch (8 clips of 8×28×28): what `tubelet demo` trains. */
export function toyLayers(): LayerShape[] {
  return [
    { name: 'toy 3→8', x: [8, 8, 28, 28, 3], k: [3, 3, 3], cout: 8, strides: [1, 1, 1] },
    { name: 'toy 8→16 s2', x: [8, 8, 28, 28, 8], k: [3, 3, 3], cout: 16, strides: [2, 2, 2] },
    { name: 'toy 16→32 s2', x: [8, 4, 14, 14, 16], k: [3, 3, 3], cout: 32, strides: [2, 2, 2] },
  ];
}

const shapeLabel = (l: LayerShape): string =>
  `${l.name} x[${l.x.join(',')}] k[${l.k.join(',')}] s[${l.strides.join(',')}]`;

async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const [v] = (await d.data()) as Float32Array;
  d.dispose();
  return v ?? Number.NaN;
}

type Which = 'fwd' | 'dgrad' | 'wgrad';

export function denseCase(layer: LayerShape, which: Which, seed: number): BenchCase {
  const w: [number, number, number, number, number] = [...layer.k, layer.x[4], layer.cout];
  const g = geometryFromTf([...layer.x], w, [...layer.strides], 'same', 1);
  const yShape = [g.batch, g.outD, g.outH, g.outW, g.outC];
  return {
    op: `conv3d_${which}`,
    shape: shapeLabel(layer),
    flops: conv3dFlops(g),
    prepare: async () => {
      await pretuneConv3d(`conv3d_${which}`, g); // time the candidate tiles first, as training's first steps do
      const rng = new Rng(seed);
      const x = tf.tensor(rng.float32(layer.x.reduce((p, v) => p * v, 1)), [...layer.x]);
      const filter = tf.tensor(
        rng.float32(
          w.reduce((p, v) => p * v, 1),
          -0.1,
          0.1,
        ),
        w,
      );
      const dy = tf.tensor(rng.float32(yShape.reduce((p, v) => p * v, 1)), yShape);
      const attrs = { strides: [...layer.strides], pad: 'same', dilations: [1, 1, 1], dataFormat: 'NDHWC' };
      const run = (): tf.Tensor => {
        if (which === 'fwd')
          return tf.conv3d(x as tf.Tensor5D, filter as tf.Tensor5D, [...layer.strides], 'same');
        if (which === 'dgrad') {
          return tf
            .engine()
            .runKernel('Conv3DBackpropInputV2', { dy, filter }, { ...attrs, inputShape: [...layer.x] });
        }
        return tf.engine().runKernel('Conv3DBackpropFilterV2', { x, dy }, { ...attrs, filterShape: w });
      };
      const enqueue = (impl: 'tubelet' | 'stock') => () => {
        setConv3dImplementation(impl);
        run().dispose();
      };
      const prepared: PreparedCase = {
        ours: enqueue('tubelet'),
        stock: enqueue('stock'),
        maxError: async () => {
          setConv3dImplementation('stock');
          const ref = run();
          setConv3dImplementation('tubelet');
          const ours = run();
          const err = await maxDiff(ours, ref);
          tf.dispose([ref, ours]);
          return err;
        },
        dispose: () => {
          setConv3dImplementation('tubelet');
          tf.dispose([x, filter, dy]);
        },
      };
      return prepared;
    },
  };
}

function depthwiseCase(x: LayerShape['x'], which: Which, seed: number): BenchCase {
  const c = x[4];
  const g = conv3dGeometry(x, [3, 3, 3, 1, c], { pad: 'same', groups: c });
  return {
    op: `depthwise_conv3d_${which}`,
    shape: `x[${x.join(',')}] k[3,3,3] groups=${c}`,
    flops: conv3dFlops(g),
    prepare: () => {
      const rng = new Rng(seed);
      const xt = tf.tensor5d(rng.float32(x.reduce((p, v) => p * v, 1)), [...x]);
      const wt = tf.tensor5d(rng.float32(27 * c, -0.1, 0.1), [3, 3, 3, 1, c]);
      const dy = tf.tensor5d(rng.float32(x.reduce((p, v) => p * v, 1)), [...x]);
      const run = (): tf.Tensor => {
        if (which === 'fwd') return depthwiseConv3d(xt, wt, { pad: 'same' });
        const attrs = { strides: [1, 1, 1], pad: 'same', dilations: [1, 1, 1], groups: c };
        return which === 'dgrad'
          ? tf
              .engine()
              .runKernel(GROUPED_CONV3D_BACKPROP_INPUT, { dy, w: wt }, { ...attrs, inputShape: [...x] })
          : tf
              .engine()
              .runKernel(
                GROUPED_CONV3D_BACKPROP_FILTER,
                { x: xt, dy },
                { ...attrs, filterShape: [3, 3, 3, 1, c] },
              );
      };
      // TF.js has no grouped Conv3D (no stock row); the reference is the op as C separate dense convolutions.
      const reference = (): tf.Tensor =>
        tf.tidy(() => {
          const xs = tf.split(xt, c, 4);
          const ws = tf.split(wt, c, 4);
          if (which === 'fwd')
            return tf.concat(
              xs.map((xi, i) => tf.conv3d(xi as tf.Tensor5D, ws[i] as tf.Tensor5D, 1, 'same') as tf.Tensor),
              4,
            );
          const dys = tf.split(dy, c, 4);
          const parts = xs.map((xi, i) =>
            tf.grads((a: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same'), dys[i] as tf.Tensor)),
            )([xi, ws[i] as tf.Tensor]),
          );
          return tf.concat(
            parts.map((p) => (which === 'dgrad' ? p[0] : p[1]) as tf.Tensor),
            4,
          );
        });
      return Promise.resolve({
        ours: () => {
          run().dispose();
        },
        stock: null,
        maxError: async () => {
          const ours = run();
          const ref = reference();
          const err = await maxDiff(ours, ref);
          tf.dispose([ours, ref]);
          return err;
        },
        dispose: () => {
          tf.dispose([xt, wt, dy]);
        },
      });
    },
  };
}

/** Hardware adapters: 16×112×112 batch 2; software (or --quick): 8×28×28 batch 1 (quick: 4×14×14). */
export function conv3dCases(options: { hardware: boolean; quick: boolean }): BenchCase[] {
  const layers = options.quick
    ? r3dLayers(1, 4, 14)
    : options.hardware
      ? r3dLayers(2, 16, 112)
      : r3dLayers(1, 8, 28);
  const dw: LayerShape['x'] = options.quick
    ? [1, 4, 14, 14, 96]
    : options.hardware
      ? [2, 16, 56, 56, 96]
      : [1, 8, 28, 28, 96];
  const cases: BenchCase[] = [];
  let seed = 1;
  for (const layer of layers)
    for (const which of ['fwd', 'dgrad', 'wgrad'] as const) cases.push(denseCase(layer, which, seed++));
  for (const which of ['fwd', 'dgrad', 'wgrad'] as const) cases.push(depthwiseCase(dw, which, seed++));
  if (!options.quick)
    for (const layer of toyLayers())
      for (const which of ['fwd', 'dgrad', 'wgrad'] as const) cases.push(denseCase(layer, which, seed++));
  return cases;
}
