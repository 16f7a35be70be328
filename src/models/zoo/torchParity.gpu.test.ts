// torchvision parity in Chromium on WebGPU: Debian's PyTorch (run now through the torchZoo* browser commands)
// builds r3d_18, mc3_18, r2plus1d_18 and s3d with seeded weights and non-trivial BN statistics; we load its
// safetensors strictly and must reproduce its eval logits within 1e-4·max|logit| + 1e-4. Round trip: we change
// the model (a training-mode step of BN statistics, a rescaled classifier), export safetensors, PyTorch loads it
// with load_state_dict(strict=True) and must compute our logits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from 'vitest/browser';
import type { TorchZooFixtures } from './fixtures/torchZooTypes.ts';
import { acquireGpu, releaseGpu } from '../../gpu/device.ts';
import { initTf, tf } from '../tf.ts';
import { activationsToTf } from '../weights/layout.ts';
import { readSafetensors, writeSafetensors } from '../weights/safetensors.ts';
import { toFloat32 } from '../weights/dtypes.ts';
import { buildModel } from './registry.ts';
import { exportStateDict, loadStateDict } from './stateDict.ts';
import type { ZooModel } from './zooModel.ts';

declare module 'vitest/browser' {
  interface BrowserCommands {
    torchZooMake(specs: string[]): Promise<TorchZooFixtures>;
    torchZooCheck(dir: string, name: string, file: string): Promise<number[]>;
    torchZooRemove(dir: string): Promise<void>;
  }
}

/**
 * [name, T, H, W, change before the round trip]: the smallest inputs that pass through every stage (S3D's last
 * pool is 2×7×7, so it needs 13×224×224: 16 G multiply-adds, minutes on SwiftShader; it round-trips its weights
 * unchanged to spare two more forward passes).
 */
const CASES: readonly (readonly [string, number, number, number, boolean])[] = [
  ['r3d_18', 4, 32, 32, true],
  ['mc3_18', 4, 32, 32, true],
  ['r2plus1d_18', 4, 32, 32, true],
  ['s3d', 13, 224, 224, false],
];

let fixtures: TorchZooFixtures | undefined;
const fx = (): TorchZooFixtures => {
  if (!fixtures) throw new Error('the PyTorch fixtures were not made (see the error of beforeAll)');
  return fixtures;
};

async function fetchBytes(file: string): Promise<Uint8Array> {
  const res = await fetch(`/@fs${fx().dir}/${file}`);
  if (!res.ok) throw new Error(`fetching ${file}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Writes bytes into the fixture folder through the built-in writeFile command, in appended base64 chunks. */
async function writeFixture(file: string, bytes: Uint8Array): Promise<void> {
  const chunk = 6 << 20; // a multiple of 3: each chunk encodes to whole base64 quads
  for (let at = 0; at < bytes.length; at += chunk) {
    await commands.writeFile(`${fx().relDir}/${file}`, base64(bytes.subarray(at, at + chunk)), {
      encoding: 'base64',
      flag: at === 0 ? 'w' : 'a',
    });
  }
}

async function inputOf(name: string): Promise<tf.Tensor5D> {
  const x = readSafetensors(await fetchBytes(`${name}.input.safetensors`), `${name}.input.safetensors`).get(
    'x',
  );
  if (!x) throw new Error(`${name}.input.safetensors has no x`);
  const ndhwc = activationsToTf(x);
  return tf.tensor5d(toFloat32(ndhwc), ndhwc.shape as [number, number, number, number, number]);
}

function relError(got: ArrayLike<number>, want: readonly number[]): { maxErr: number; bound: number } {
  let maxErr = 0;
  let maxLogit = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs((got[i] ?? NaN) - (want[i] ?? NaN));
    maxErr = Number.isNaN(d) ? Infinity : Math.max(maxErr, d);
    maxLogit = Math.max(maxLogit, Math.abs(want[i] ?? 0));
  }
  return { maxErr, bound: 1e-4 * maxLogit + 1e-4 };
}

describe('torchvision parity (Debian PyTorch → safetensors → our WebGPU models)', () => {
  beforeAll(async () => {
    const { device, adapter } = await acquireGpu(); // fails (never skips) without an adapter
    await initTf(device, adapter.info);
    fixtures = await commands.torchZooMake(CASES.map((c) => c.slice(0, 4).join(':')));
  }, 900_000);
  afterAll(async () => {
    if (fixtures) await commands.torchZooRemove(fixtures.dir);
    await releaseGpu();
  });

  it.each(CASES)(
    '%s reproduces PyTorch logits at 1×3×%i×%i×%i and survives export → PyTorch strict load',
    async (name, t, h, w, change) => {
      const want = fx().expected.models[name];
      if (!want) throw new Error(`no PyTorch expectations for ${name}`);
      const model: ZooModel = buildModel(name, { numClasses: 400, seed: 9 });
      try {
        expect(model.paramCount()).toBe(want.params);
        expect(model.macs([1, t, h, w, 3])).toBe(want.macs);
        const weights = readSafetensors(await fetchBytes(`${name}.safetensors`), `${name}.safetensors`);
        const report = loadStateDict(model, weights, { fileName: `${name}.safetensors` }); // strict
        expect(report.loaded.length).toBe(weights.size);
        const x = await inputOf(name);
        const logits = model.forward(x, { training: false });
        expect(logits.shape).toEqual([1, 400]);
        let oursValues = Array.from(await logits.data());
        logits.dispose();
        const parity = relError(oursValues, want.logits);
        console.log(
          `${name}: max|err| ${parity.maxErr.toExponential(3)} (bound ${parity.bound.toExponential(3)})`,
        );
        expect(parity.maxErr).toBeLessThanOrEqual(parity.bound);
        if (change) {
          // change the model the way training does: BN running statistics from a batch, a different classifier
          const before = tf.memory().numTensors;
          tf.dispose(model.forward(x, { training: true }));
          expect(tf.memory().numTensors).toBe(before); // running stats replaced, nothing leaked
          const head = [...model.parameters()].find(
            ([k]) => k.startsWith(`${model.headPrefix}.`) && k.endsWith('weight'),
          );
          if (!head) throw new Error(`${name}: no head weight`);
          head[1].assign(tf.tidy(() => head[1].mul(1.5)));
          const changed = model.forward(x, { training: false });
          oursValues = Array.from(await changed.data());
          changed.dispose();
          const moved = relError(oursValues, want.logits);
          expect(moved.maxErr).toBeGreaterThan(moved.bound); // the round trip really carries new values
        }
        x.dispose();
        await writeFixture(`${name}.export.safetensors`, writeSafetensors(await exportStateDict(model)));
        const theirs = await commands.torchZooCheck(fx().dir, name, `${name}.export.safetensors`);
        const roundTrip = relError(theirs, oursValues);
        console.log(`${name} round trip: max|err| ${roundTrip.maxErr.toExponential(3)}`);
        expect(roundTrip.maxErr).toBeLessThanOrEqual(roundTrip.bound);
      } finally {
        model.dispose();
      }
    },
    900_000,
  );
});
