// Conv3D autotuning wired to the TF.js kernels: the first launch of a shape class runs the best guess and starts
// timing the candidates, winners are stored per adapter and used by later launches, results stay exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../gpu/device.ts';
import { Autotuner, type TuneRecord, type TuneStore } from '../../gpu/autotune.ts';
import { maxAbsDiff, parityTolerance } from '../../gpu/kernels/parity.ts';
import { Rng } from '../../shared/random.ts';
import { initTf, tf } from '../tf.ts';
import {
  conv3dKernelCalls,
  geometryFromTf,
  setConv3dImplementation,
  setConv3dTileChooser,
} from './conv3d.ts';
import {
  conv3dTuneRequest,
  conv3dTuningSpace,
  installConv3dAutotuner,
  pretuneConv3d,
  uninstallConv3dAutotuner,
} from './conv3dAutotune.ts';

class MemoryStore implements TuneStore {
  readonly records = new Map<string, TuneRecord>();
  get(key: string) {
    return Promise.resolve(this.records.get(key));
  }
  set(key: string, record: TuneRecord) {
    this.records.set(key, record);
    return Promise.resolve();
  }
  clear(adapterKey: string) {
    let n = 0;
    for (const [k, r] of this.records) if (r.adapterKey === adapterKey && this.records.delete(k)) n++;
    return Promise.resolve(n);
  }
}

const X: [number, number, number, number, number] = [1, 4, 10, 10, 8];
const W: [number, number, number, number, number] = [3, 3, 3, 8, 12];

describe('conv3d autotuning through the TF.js kernels', () => {
  let device: GPUDevice;
  const store = new MemoryStore();
  let tuner: Autotuner;
  const keyOf = (
    kernel: 'conv3d_fwd' | 'conv3d_dgrad' | 'conv3d_wgrad',
    g: ReturnType<typeof geometryFromTf>,
  ) => {
    const r = conv3dTuneRequest(kernel, g, device);
    return tuner.storeKey(kernel, r.shapeClass, r.candidates);
  };

  beforeAll(async () => {
    const gpu = await acquireGpu();
    device = gpu.device;
    await initTf(gpu.device, gpu.adapter.info);
    tuner = new Autotuner(device, 'test-adapter', store, { warmup: 0, reps: 1 });
    installConv3dAutotuner(tuner, device);
  });

  afterAll(() => {
    uninstallConv3dAutotuner();
    setConv3dTileChooser(null);
  });

  it('times every kernel once per shape class, stores the winner, and keeps the results exact', async () => {
    const g = geometryFromTf(X, W, 1, 'same', 1);
    for (const kernel of ['conv3d_fwd', 'conv3d_dgrad', 'conv3d_wgrad'] as const) {
      const { candidates: tiles } = conv3dTuningSpace(kernel, g, device);
      const { candidates } = conv3dTuneRequest(kernel, g, device);
      expect(tiles.length).toBeGreaterThan(0);
      expect(candidates).toEqual([...tiles, 'stock']); // TF.js's own kernel competes too
      const winner = await pretuneConv3d(kernel, g);
      const record = store.records.get(keyOf(kernel, g));
      expect(record, `${kernel} stored`).toBeDefined();
      expect(record?.candidates).toBe(candidates.length);
      expect(record?.config).toBe(JSON.stringify(winner));
      expect(Number.isFinite(record?.medianMs)).toBe(true);
    }
    const sizeAfterTuning = store.records.size;

    const rng = new Rng(7);
    const x = tf.tensor5d(rng.float32(X.reduce((a, b) => a * b)), X);
    const w = tf.tensor5d(rng.float32(W.reduce((a, b) => a * b)), W);
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 1, 'same')));
    const grads = tf.grads(loss);
    const ours = grads([x, w]);
    setConv3dImplementation('stock');
    const stock = grads([x, w]);
    setConv3dImplementation('tubelet');
    for (let i = 0; i < 2; i++) {
      const a = (await ours[i]?.data()) as Float32Array;
      const b = (await stock[i]?.data()) as Float32Array;
      expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(parityTolerance(b));
    }
    // The launches above used the stored winners: no new shape class was timed.
    expect(store.records.size).toBe(sizeAfterTuning);
    tf.dispose([x, w, ...ours, ...stock]);
  });

  it('a new tuner on the same adapter reads winners from the store instead of timing again', async () => {
    const g = geometryFromTf(X, W, 1, 'same', 1);
    const before = new Map(store.records);
    let timed = 0;
    const counting: TuneStore = {
      get: (k) => store.get(k),
      set: (k, r) => {
        timed++;
        return store.set(k, r);
      },
      clear: (a) => store.clear(a),
    };
    installConv3dAutotuner(new Autotuner(device, 'test-adapter', counting, { warmup: 0, reps: 1 }), device);
    const winner = await pretuneConv3d('conv3d_fwd', g);
    expect(timed).toBe(0);
    expect(JSON.stringify(winner)).toBe(before.get(keyOf('conv3d_fwd', g))?.config);
    // Another adapter key does not see these winners and times its own.
    installConv3dAutotuner(new Autotuner(device, 'other-adapter', counting, { warmup: 0, reps: 1 }), device);
    await pretuneConv3d('conv3d_fwd', g);
    expect(timed).toBe(1);
  });

  it('a persisted stock winner routes the launches to TF.js stock kernels, with the same results', async () => {
    const X2: [number, number, number, number, number] = [1, 2, 6, 6, 16];
    const W2: [number, number, number, number, number] = [3, 3, 3, 16, 8];
    const g = geometryFromTf(X2, W2, 2, 'same', 1);
    const seeded = new MemoryStore();
    const stockTuner = new Autotuner(device, 'stock-adapter', seeded, { warmup: 0, reps: 1 });
    for (const kernel of ['conv3d_fwd', 'conv3d_dgrad', 'conv3d_wgrad'] as const) {
      const r = conv3dTuneRequest(kernel, g, device);
      const record = { adapterKey: 'stock-adapter', kernel, shapeClass: r.shapeClass, candidates: 1 };
      await seeded.set(stockTuner.storeKey(kernel, r.shapeClass, r.candidates), {
        ...record,
        config: JSON.stringify('stock'),
        medianMs: 1,
      });
    }
    installConv3dAutotuner(stockTuner, device);
    for (const kernel of ['conv3d_fwd', 'conv3d_dgrad', 'conv3d_wgrad'] as const) {
      expect(await pretuneConv3d(kernel, g)).toBe('stock');
    }
    const rng = new Rng(11);
    const x = tf.tensor5d(rng.float32(X2.reduce((a, b) => a * b)), X2);
    const w = tf.tensor5d(rng.float32(W2.reduce((a, b) => a * b)), W2);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.square(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, 2, 'same'))),
    );
    const before = conv3dKernelCalls();
    const viaStockChoice = grads([x, w]);
    const after = conv3dKernelCalls();
    expect(after.stockChosen - before.stockChosen).toBe(3);
    expect(after.fwd + after.dgrad + after.wgrad).toBe(before.fwd + before.dgrad + before.wgrad);
    setConv3dImplementation('stock');
    const stock = grads([x, w]);
    setConv3dImplementation('tubelet');
    for (let i = 0; i < 2; i++) {
      expect(await viaStockChoice[i]?.data()).toEqual(await stock[i]?.data());
    }
    tf.dispose([x, w, ...viaStockChoice, ...stock]);
    installConv3dAutotuner(tuner, device);
  });
});
