// Reads files written by real PyTorch (generated now by fixtures/make_fixtures.py with /usr/bin/python3) and has
// PyTorch read what we write. Fails, never skips, when python3-torch is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { toFloat32, type WeightTensor } from './dtypes.ts';
import { makeFixtures, type Described, type Fixtures } from './fixtures/python.ts';
import { conv3dWeightFromTf, conv3dWeightToTf } from './layout.ts';
import { PickleTuple, type PickleValue } from './pickleValues.ts';
import { openPth, readPth } from './pth.ts';
import { writePth } from './pthWrite.ts';
import { readWeights } from './read.ts';
import { writeSafetensors } from './safetensors.ts';
import { unwrapStateDict } from './unwrap.ts';

let made: Fixtures | undefined;
beforeAll(async () => {
  made = await makeFixtures();
}, 600_000);
afterAll(() => {
  made?.remove();
});
const fx = {
  get it(): Fixtures {
    if (!made) throw new Error('the PyTorch fixtures were not made (see the error of beforeAll)');
    return made;
  },
};

function expected(name: string): Described {
  const e = fx.it.expected.files[name];
  if (typeof e !== 'object') throw new Error(`no expectations for ${name}`);
  return e;
}

/** Element i as a number: exact for every dtype here (int64 values in these fixtures are far below 2^53). */
function reader(t: WeightTensor): (i: number) => number {
  const { data } = t;
  if (data instanceof BigInt64Array) return (i) => Number(data[i] ?? 0n);
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') {
    const f = toFloat32(t);
    return (i) => f[i] ?? NaN;
  }
  return (i) => data[i] ?? NaN;
}

/** Every tensor matches PyTorch's dtype, shape, first values exactly and sum (in float64) closely. */
function expectMatches(actual: ReadonlyMap<string, WeightTensor>, want: Described, file: string): void {
  expect([...actual.keys()].sort(), file).toEqual(Object.keys(want).sort());
  for (const [name, w] of Object.entries(want)) {
    const t = actual.get(name);
    const where = `${file}: ${name}`;
    expect(t?.dtype, where).toBe(w.dtype);
    expect(t?.shape, where).toEqual(w.shape);
    if (!t) continue;
    const at = reader(t);
    expect(
      Array.from({ length: Math.min(t.data.length, w.values.length) }, (_, i) => at(i)),
      where,
    ).toEqual(w.values);
    let sum = 0;
    let scale = 0;
    for (let i = 0; i < t.data.length; i++) {
      const v = at(i);
      sum += v;
      scale += Math.abs(v);
    }
    expect(Math.abs(sum - w.sum), where).toBeLessThanOrEqual(1e-9 * (1 + scale));
  }
}

async function rejection(run: () => Promise<unknown>): Promise<TubeletError> {
  const error: unknown = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TubeletError);
  return error as TubeletError;
}

describe(`PyTorch files (Debian's /usr/bin/python3)`, () => {
  it.each([
    'basic.pth',
    'basic_p4.pth',
    'basic_p5.pth',
    'deflated.pth',
    'views.pth',
    'ordered.pth',
    'model.safetensors',
  ])('reads %s exactly as PyTorch wrote it', async (name) => {
    expectMatches(await readWeights(fx.it.read(name), name), expected(name), name);
  });

  it('reads nested checkpoints with metadata and unwraps the state dict', async () => {
    const bytes = fx.it.read('nested.pth');
    expectMatches(await readPth(bytes, 'nested.pth'), expected('nested.pth'), 'nested.pth');
    const ckpt = await openPth(bytes, 'nested.pth');
    const root = ckpt.root as Map<PickleValue, PickleValue>;
    const meta = root.get('meta') as Map<PickleValue, PickleValue>;
    expect(root.get('epoch')).toBe(7);
    expect(meta.get('big')).toBe(2n ** 70n);
    expect(meta.get('tags')).toEqual(new PickleTuple(['a', 'b']));
    expect(meta.get('raw')).toEqual(new Uint8Array([0, 255]));
    const { tensors, report } = unwrapStateDict(ckpt.tensors);
    expect([...tensors.keys()]).toEqual(['conv.weight', 'conv.bias']);
    expect(report.dropped).toEqual([{ group: 'optimizer', tensors: 1 }]);
    const weight = tensors.get('conv.weight');
    if (weight) expect((await ckpt.load(weight)).shape).toEqual([4, 3, 1, 3, 3]);
  });

  it("reads torchvision's r3d_18 state dict: 33,371,472 parameters", async () => {
    const tensors = await readPth(fx.it.read('r3d_18.pth'), 'r3d_18.pth');
    expectMatches(tensors, expected('r3d_18.pth'), 'r3d_18.pth');
    const buffers = /\.(running_mean|running_var|num_batches_tracked)$/;
    const params = [...tensors].filter(([n]) => !buffers.test(n)).reduce((s, [, t]) => s + t.data.length, 0);
    expect(params).toBe(fx.it.expected.files['r3d_18.params']);
    expect(params).toBe(33_371_472);
    const stem = tensors.get('stem.0.weight');
    expect(stem?.shape).toEqual([64, 3, 3, 7, 7]);
    if (stem) expect(conv3dWeightFromTf(conv3dWeightToTf(stem))).toEqual(stem);
  }, 120_000);

  it.each([
    ['evil.pth', 'posix.system'],
    ['evil_eval.pth', '__builtin__.eval'], // protocol 2 spells builtins the Python 2 way
  ])('refuses %s, even in lenient mode, naming %s', async (file, global) => {
    for (const lenient of [false, true]) {
      const e = await rejection(() => readPth(fx.it.read(file), file, { lenient }));
      expect(e.code).toBe('WEIGHTS_UNSAFE');
      expect(e.message).toBe(
        `${file} refers to '${global}', which Tubelet will not execute; re-save the state_dict with torch.save(model.state_dict())`,
      );
    }
  });

  it('refuses training metadata objects by default and skips them in lenient mode', async () => {
    const strict = await rejection(() => readPth(fx.it.read('namespace.pth'), 'namespace.pth'));
    expect(strict.message).toMatch(/'argparse\.Namespace'/);
    const ckpt = await openPth(fx.it.read('namespace.pth'), 'namespace.pth', { lenient: true });
    expect(ckpt.skipped).toContain('argparse.Namespace');
    expect(ckpt.skipped).toContain('numpy.core.multiarray._reconstruct');
    const tensors = new Map<string, WeightTensor>();
    for (const [name, ref] of ckpt.tensors) tensors.set(name, await ckpt.load(ref));
    expectMatches(tensors, expected('namespace.pth'), 'namespace.pth');
  });

  it('refuses the legacy format and TorchScript archives with how to re-save', async () => {
    const legacy = await rejection(() => readWeights(fx.it.read('legacy.pth'), 'legacy.pth'));
    expect(legacy.code).toBe('WEIGHTS_UNSUPPORTED');
    expect(legacy.message).toMatch(/legacy \(pre-1\.6\).*torch\.save\(model\.state_dict\(\), path\)/);
    const script = await rejection(() => readWeights(fx.it.read('scripted.pt'), 'scripted.pt'));
    expect(script.message).toMatch(/TorchScript/);
  });

  it('writes .pth and .safetensors that PyTorch reads back (torch.load weights_only=True)', async () => {
    const tensors = await readPth(fx.it.read('basic.pth'), 'basic.pth');
    const pth = fx.it.write('ours.pth', writePth(tensors, { folder: 'ours' }));
    const st = fx.it.write('ours.safetensors', writeSafetensors(tensors, { metadata: { format: 'pt' } }));
    const seen = fx.it.describe([pth, st]);
    expect(seen['ours.pth']?.type).toBe('OrderedDict');
    for (const file of ['ours.pth', 'ours.safetensors']) {
      expect(seen[file]?.tensors, file).toEqual(expected('basic.pth'));
    }
  }, 300_000);
});
