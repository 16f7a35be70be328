import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { DTYPE_SIZE, WEIGHT_DTYPES, bytesOf, numelOf, viewOf, type WeightTensor } from './dtypes.ts';
import { openPth, readPth } from './pth.ts';
import { writePth } from './pthWrite.ts';
import { readWeights, sniffWeightsFormat } from './read.ts';
import { writeSafetensors } from './safetensors.ts';
import { openZip } from './zip.ts';
import { writeZip } from './zipWrite.ts';

const raw = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const enc = new TextEncoder();

function sample(): Map<string, WeightTensor> {
  const rng = new Rng(3);
  const out = new Map<string, WeightTensor>();
  WEIGHT_DTYPES.forEach((dtype, i) => {
    const shape = [[2, 3], [4], [], [0, 2], [1, 2, 3]][i % 5] ?? [1];
    const numel = numelOf(shape) ?? 0;
    const bytes = new Uint8Array(numel * DTYPE_SIZE[dtype]).map(() =>
      dtype === 'bool' ? rng.int(2) : rng.int(256),
    );
    out.set(`layer${i}.${dtype}`, { dtype, shape, data: viewOf(dtype, bytes.buffer, 0, numel) });
  });
  return out;
}

async function failure(run: () => Promise<unknown>): Promise<TubeletError> {
  const error: unknown = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TubeletError);
  return error as TubeletError;
}

/** A zip checkpoint from a hand-written pickle and storages. */
function checkpoint(pickle: string, storages: Record<string, Uint8Array>, extra: string[] = []): Uint8Array {
  return writeZip([
    { name: 'ckpt/data.pkl', data: raw(pickle) },
    ...Object.entries(storages).map(([k, data]) => ({ name: `ckpt/data/${k}`, data })),
    ...extra.map((name) => ({ name, data: enc.encode('x') })),
    { name: 'ckpt/version', data: enc.encode('3\n') },
  ]);
}
/** `_rebuild_tensor_v2` of float storage '0' (6 elements) with the given size/stride tuples (pickle text). */
const tensorOp = (size: string, stride: string, offset = 'K\x00'): string =>
  `ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x06tQ${offset}${size}${stride}\x89ccollections\nOrderedDict\n)RtR`;

describe('torch.save checkpoints (zip)', () => {
  it('writes and reads back every dtype, shapes including scalars and empty tensors', async () => {
    const tensors = sample();
    const bytes = writePth(tensors, { folder: 'my_model' });
    const back = await readPth(bytes, 'sample.pth');
    expect([...back.keys()]).toEqual([...tensors.keys()]);
    for (const [name, t] of tensors) expect(back.get(name), name).toEqual(t);
    const float = back.get('layer0.float32');
    expect(float?.data.buffer).toBe(bytes.buffer); // stored, aligned, contiguous: a view
  });

  it('materialises shared storages and transposed views, making strided ones contiguous', async () => {
    const pickle = `\x80\x02}(X\x01\x00\x00\x00a${tensorOp('K\x02K\x03\x86', 'K\x03K\x01\x86')}X\x01\x00\x00\x00b${tensorOp('K\x03K\x02\x86', 'K\x01K\x03\x86')}X\x01\x00\x00\x00c${tensorOp('K\x02\x85', 'K\x02\x85', 'K\x03')}u.`;
    const storage = bytesOf(new Float32Array([0, 1, 2, 3, 4, 5]));
    const bytes = checkpoint(pickle, { '0': storage });
    const t = await readPth(bytes, 'views.pth');
    expect(t.get('a')).toEqual({
      dtype: 'float32',
      shape: [2, 3],
      data: new Float32Array([0, 1, 2, 3, 4, 5]),
    });
    expect(t.get('b')).toEqual({
      dtype: 'float32',
      shape: [3, 2],
      data: new Float32Array([0, 3, 1, 4, 2, 5]),
    });
    expect(t.get('c')?.data).toEqual(new Float32Array([3, 5]));
  });

  it('reads big-endian checkpoints (archive/byteorder = big)', async () => {
    const tensors = sample();
    const little = openZip(writePth(tensors), 'le.pth');
    const entries = await Promise.all(
      little.entries.map(async (e) => {
        let data = (await little.read(e)).slice();
        const key = /data\/(\d+)$/.exec(e.name)?.[1];
        const size = key === undefined ? 1 : DTYPE_SIZE[[...tensors.values()][Number(key)]?.dtype ?? 'uint8'];
        for (let i = 0; i < data.byteLength; i += size) data.subarray(i, i + size).reverse();
        if (e.name.endsWith('/byteorder')) data = enc.encode('big');
        return { name: e.name, data };
      }),
    );
    const back = await readPth(writeZip(entries), 'be.pth');
    for (const [name, t] of tensors) expect(back.get(name), name).toEqual(t);
  });

  it('converts float16/bfloat16/float64 to float32 on request', async () => {
    const half: WeightTensor = { dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0x4000]) };
    const back = await readPth(writePth([['h', half]]), 'h.pth', { toFloat32: true });
    expect(back.get('h')).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) });
  });

  it('opens lazily and reports lenient skips', async () => {
    const ns = `\x80\x02}(X\x04\x00\x00\x00argscargparse\nNamespace\n)\x81}bX\x01\x00\x00\x00w${tensorOp('K\x06\x85', 'K\x01\x85')}u.`;
    const bytes = checkpoint(ns, { '0': new Uint8Array(24) });
    expect((await failure(() => openPth(bytes, 'ns.pth'))).code).toBe('WEIGHTS_UNSAFE');
    const ckpt = await openPth(bytes, 'ns.pth', { lenient: true });
    expect(ckpt.skipped).toEqual(['argparse.Namespace']);
    expect([...ckpt.tensors.keys()]).toEqual(['w']);
  });

  it('keeps tensors stored inside skipped dict subclasses (lenient)', async () => {
    const cfg = `\x80\x02}(X\x03\x00\x00\x00cfgcmmengine.config\nConfigDict\n)\x81(X\x01\x00\x00\x00w${tensorOp('K\x06\x85', 'K\x01\x85')}u}bu.`;
    const bytes = checkpoint(cfg, { '0': bytesOf(new Float32Array([1, 2, 3, 4, 5, 6])) });
    const tensors = await readPth(bytes, 'cfg.pth', { lenient: true });
    expect([...tensors.keys()]).toEqual(['cfg.w']);
    expect(tensors.get('cfg.w')?.data).toEqual(new Float32Array([1, 2, 3, 4, 5, 6]));
  });

  it.each([
    [
      'legacy pickle',
      raw('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.'),
      'WEIGHTS_UNSUPPORTED',
      /legacy \(pre-1\.6\)/,
    ],
    ['not a checkpoint', enc.encode('hello'), 'WEIGHTS_UNSUPPORTED', /not a torch\.save checkpoint/],
    [
      'zip without data.pkl',
      writeZip([{ name: 'a/b', data: enc.encode('x') }]),
      'WEIGHTS_MALFORMED',
      /no <folder>\/data\.pkl/,
    ],
    [
      'TorchScript',
      checkpoint('\x80\x02N.', {}, ['ckpt/constants.pkl']),
      'WEIGHTS_UNSUPPORTED',
      /TorchScript/,
    ],
    [
      'missing storage',
      checkpoint(`\x80\x02${tensorOp('K\x06\x85', 'K\x01\x85')}.`, {}),
      'WEIGHTS_MALFORMED',
      /no entry 'ckpt\/data\/0'/,
    ],
    [
      'short storage',
      checkpoint(`\x80\x02${tensorOp('K\x06\x85', 'K\x01\x85')}.`, { '0': new Uint8Array(20) }),
      'WEIGHTS_MALFORMED',
      /storage '0' holds 20 bytes, not 6 × 4/,
    ],
  ])('refuses %s with a clear message', async (_, bytes, code, pattern) => {
    const e = await failure(() => readPth(bytes, 'x.pth'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(/^x\.pth: /);
    expect(e.message).toMatch(pattern);
  });

  it('fuzz: corrupted checkpoints give consistent tensors or coded errors', async () => {
    const rng = new Rng(11);
    const source = writePth(sample());
    for (let i = 0; i < 400; i++) {
      const mutant = rng.int(4) === 0 ? source.slice(0, 1 + rng.int(source.byteLength - 1)) : source.slice();
      for (let k = rng.int(4) + 1; k > 0; k--) mutant[rng.int(mutant.byteLength)] = rng.int(256);
      try {
        const tensors = await readPth(mutant, 'fuzz.pth', {
          verifyCrc: rng.int(2) === 0,
          lenient: rng.int(2) === 0,
        });
        for (const t of tensors.values()) {
          expect(t.data.length).toBe(numelOf(t.shape));
          expect(t.data.BYTES_PER_ELEMENT).toBe(DTYPE_SIZE[t.dtype]);
        }
      } catch (error) {
        expect(error).toBeInstanceOf(TubeletError);
        expect((error as TubeletError).message).toMatch(/^fuzz\.pth/);
      }
    }
  }, 60_000);
});

describe('readWeights', () => {
  it('sniffs the format from the bytes, not the name', async () => {
    const tensors = new Map<string, WeightTensor>([
      ['w', { dtype: 'float32', shape: [1], data: new Float32Array([2]) }],
    ]);
    const st = writeSafetensors(tensors);
    const pth = writePth(tensors);
    expect(sniffWeightsFormat(st)).toBe('safetensors');
    expect(sniffWeightsFormat(pth)).toBe('pytorch-zip');
    expect(sniffWeightsFormat(raw('\x80\x02}.'))).toBe('pickle');
    expect(sniffWeightsFormat(enc.encode('GIF89a'))).toBe('unknown');
    expect(sniffWeightsFormat(st.subarray(0, 40))).toBe('safetensors'); // truncated: the reader explains
    expect(await readWeights(st, 'named.pth')).toEqual(tensors);
    expect(await readWeights(pth, 'named.safetensors')).toEqual(tensors);
    const e = await failure(() => readWeights(enc.encode('GIF89a-not-weights'), 'cat.gif'));
    expect(e.code).toBe('WEIGHTS_UNSUPPORTED');
    expect(e.message).toMatch(/^cat\.gif: is neither a safetensors file nor a torch\.save checkpoint/);
  });
});
