import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { DTYPE_SIZE, WEIGHT_DTYPES, numelOf, viewOf, type WeightDtype, type WeightTensor } from './dtypes.ts';
import { parseSafetensors, readSafetensors, writeSafetensors } from './safetensors.ts';

/** A file from a header (object or raw text) and data bytes. */
function craft(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setUint32(0, json.byteLength, true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

function randomTensor(rng: Rng, dtype: WeightDtype): WeightTensor {
  const shape = Array.from({ length: rng.int(4) }, () => rng.int(4));
  const numel = numelOf(shape) ?? 0;
  const bytes = new Uint8Array(numel * DTYPE_SIZE[dtype]).map(() => rng.int(256));
  if (dtype === 'bool') bytes.forEach((_, i) => (bytes[i] = rng.int(2)));
  return { dtype, shape, data: viewOf(dtype, bytes.buffer, 0, numel) };
}

function expectError(run: () => unknown, code: string, pattern: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TubeletError);
    expect((error as TubeletError).code).toBe(code);
    expect((error as TubeletError).message).toMatch(pattern);
    return;
  }
  throw new Error(`expected ${code} ${String(pattern)}`);
}

describe('safetensors round trip', () => {
  it('writes and reads every dtype with metadata, 8-byte aligned data', () => {
    const rng = new Rng(7);
    const tensors = new Map<string, WeightTensor>(WEIGHT_DTYPES.map((d) => [`t.${d}`, randomTensor(rng, d)]));
    tensors.set('__proto__', { dtype: 'float32', shape: [2], data: new Float32Array([1, 2]) });
    const bytes = writeSafetensors(tensors, { metadata: { format: 'pt', __proto__x: 'y' } });
    const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const file = parseSafetensors(bytes, 'a.safetensors');
    expect(file.metadata).toEqual({ format: 'pt', __proto__x: 'y' });
    expect([...file.tensors.keys()].sort()).toEqual([...tensors.keys()].sort());
    for (const [name, t] of tensors) {
      const back = file.tensors.get(name);
      expect(back?.dtype).toBe(t.dtype);
      expect(back?.shape).toEqual(t.shape);
      expect(back?.data).toEqual(t.data);
    }
  });

  it('converts float16, bfloat16 and float64 to float32 on request', () => {
    const bytes = writeSafetensors([
      ['h', { dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) }],
      ['b', { dtype: 'bfloat16', shape: [1], data: new Uint16Array([0x3fc0]) }],
      ['d', { dtype: 'float64', shape: [1], data: new Float64Array([0.25]) }],
      ['i', { dtype: 'int64', shape: [1], data: new BigInt64Array([5n]) }],
    ]);
    const t = readSafetensors(bytes, 'c.safetensors', { toFloat32: true });
    expect(t.get('h')).toEqual({ dtype: 'float32', shape: [2], data: new Float32Array([1, -2]) });
    expect(t.get('b')?.data).toEqual(new Float32Array([1.5]));
    expect(t.get('d')?.data).toEqual(new Float32Array([0.25]));
    expect(t.get('i')?.dtype).toBe('int64');
  });

  it('refuses inconsistent tensors when writing', () => {
    const bad: WeightTensor = { dtype: 'float32', shape: [3], data: new Float32Array(2) };
    expect(() => writeSafetensors([['x', bad]])).toThrow(/tensor 'x' has 2 elements/);
    const wrongType: WeightTensor = { dtype: 'float64', shape: [2], data: new Float32Array(2) };
    expect(() => writeSafetensors([['y', wrongType]])).toThrow(/4-byte elements/);
  });
});

describe('safetensors validation', () => {
  const f32 = (begin: number, end: number, shape = [1]) => ({
    dtype: 'F32',
    shape,
    data_offsets: [begin, end],
  });
  const four = new Uint8Array(4);

  it.each([
    ['too short', new Uint8Array(5), /too short/],
    ['header past the end', craft({}).map((b, i) => (i === 0 ? 200 : b)), /header length 200 does not fit/],
    ['huge header length', craft({}).map((b, i) => (i === 6 ? 1 : b)), /does not fit/],
    ['invalid UTF-8', craft('{"\xff"}').map((b) => (b === 0xc3 ? 0xff : b)), /not valid UTF-8/],
    ['invalid JSON', craft('{"a": [1,}'), /not valid JSON/],
    ['not an object', craft('[1, 2]'), /not a JSON object/],
    [
      'duplicate names',
      craft(`{"w": ${JSON.stringify(f32(0, 4))}, "w": ${JSON.stringify(f32(0, 4))}}`, four),
      /names 'w' twice/,
    ],
    ['entry not an object', craft({ w: 3 }), /tensor 'w' is not an object/],
    ['missing dtype', craft({ w: { shape: [1], data_offsets: [0, 4] } }, four), /'w' field 'dtype'/],
    ['bad shape', craft({ w: { ...f32(0, 4), shape: [-1] } }, four), /'w' field 'shape' \[-1\]/],
    ['shape not array', craft({ w: { ...f32(0, 4), shape: 4 } }, four), /'w' field 'shape' is missing/],
    [
      'offsets not a pair',
      craft({ w: { ...f32(0, 4), data_offsets: [0] } }, four),
      /'w' field 'data_offsets' is not/,
    ],
    ['offsets past data', craft({ w: f32(0, 8, [2]) }, four), /'data_offsets' \[0, 8\] is outside the 4/],
    ['offsets reversed', craft({ w: f32(4, 0) }, four), /'data_offsets' \[4, 0\]/],
    ['size mismatch', craft({ w: f32(0, 4, [2]) }, four), /span 4 bytes but shape \[2\] × F32 needs 8/],
    ['overlap', craft({ a: f32(0, 4), b: f32(0, 4) }, four), /overlap/],
    ['gap', craft({ a: f32(4, 8) }, new Uint8Array(8)), /data bytes \[0, 4\) belong to no tensor/],
    ['trailing bytes', craft({ a: f32(0, 4) }, new Uint8Array(6)), /cover 4 data bytes but the file holds 6/],
    ['metadata not strings', craft({ __metadata__: { a: 1 } }), /'__metadata__.a' is not a string/],
  ])('names the file and the field: %s', (_, bytes, pattern) => {
    expectError(() => parseSafetensors(bytes, 'bad.safetensors'), 'WEIGHTS_MALFORMED', pattern);
    expectError(() => parseSafetensors(bytes, 'bad.safetensors'), 'WEIGHTS_MALFORMED', /^bad\.safetensors: /);
  });

  it('refuses dtypes it does not read with WEIGHTS_UNSUPPORTED', () => {
    const bytes = craft({ q: { dtype: 'F8_E4M3', shape: [4], data_offsets: [0, 4] } }, four);
    expectError(
      () => parseSafetensors(bytes, 'q.safetensors'),
      'WEIGHTS_UNSUPPORTED',
      /'q' has dtype 'F8_E4M3'/,
    );
  });

  it('accepts zero-size tensors at any shared offset and an empty file', () => {
    const bytes = craft({ a: f32(0, 0, [0]), b: f32(0, 4), c: f32(4, 4, [2, 0]) }, four);
    const t = readSafetensors(bytes, 'z.safetensors');
    expect(t.get('c')?.shape).toEqual([2, 0]);
    expect(readSafetensors(craft({}), 'e.safetensors').size).toBe(0);
  });
});

describe('safetensors fuzz', () => {
  type Mutation = (bytes: Uint8Array, rng: Rng) => Uint8Array;
  const headerEnd = (b: Uint8Array): number => 8 + (b[0] ?? 0) + (b[1] ?? 0) * 256;
  const mutations: Record<string, Mutation> = {
    truncate: (b, rng) => b.slice(0, rng.int(b.byteLength)),
    flipAnywhere: (b, rng) => {
      const out = b.slice();
      for (let k = rng.int(8) + 1; k > 0; k--) {
        const i = rng.int(out.byteLength);
        out[i] = (out[i] ?? 0) ^ (1 << rng.int(8));
      }
      return out;
    },
    flipHeader: (b, rng) => {
      const out = b.slice();
      for (let k = rng.int(4) + 1; k > 0; k--)
        out[rng.int(Math.min(headerEnd(b), out.byteLength))] = rng.int(256);
      return out;
    },
    editNumber: (b, rng) => {
      const text = new TextDecoder().decode(b.subarray(8, headerEnd(b)));
      const digits = [...text.matchAll(/\d+/g)];
      const pick = digits[rng.int(Math.max(1, digits.length))];
      if (!pick) return b;
      const replacement = String([0, 1, 2, 7, 64, 1e6, 2 ** 53][rng.int(7)]);
      const edited = text.slice(0, pick.index) + replacement + text.slice(pick.index + pick[0].length);
      return craft(edited, b.subarray(headerEnd(b)));
    },
    headerLength: (b, rng) => {
      const out = b.slice();
      new DataView(out.buffer).setUint32(0, headerEnd(b) - 8 + rng.int(17) - 8, true);
      return out;
    },
    append: (b, rng) => {
      const out = new Uint8Array(b.byteLength + 1 + rng.int(16));
      out.set(b);
      return out;
    },
  };

  it('either returns consistent in-bounds tensors or throws a coded error naming the file', () => {
    const rng = new Rng(20260421);
    const valid: Uint8Array[] = [];
    for (let f = 0; f < 8; f++) {
      const tensors = new Map<string, WeightTensor>();
      for (let k = 0; k < 1 + rng.int(5); k++) {
        const dtype = WEIGHT_DTYPES[rng.int(WEIGHT_DTYPES.length)] ?? 'float32';
        tensors.set(`layer${k}.w`, randomTensor(rng, dtype));
      }
      valid.push(writeSafetensors(tensors, f % 2 ? { metadata: { step: String(f) } } : {}));
    }
    const names = Object.keys(mutations);
    const outcomes = { ok: 0, errors: 0 };
    for (let i = 0; i < 4000; i++) {
      const source = valid[rng.int(valid.length)] ?? new Uint8Array(0);
      const name = names[rng.int(names.length)] ?? 'truncate';
      const mutant = mutations[name]?.(source, rng) ?? source;
      let file;
      try {
        file = parseSafetensors(mutant, 'fuzz.safetensors');
      } catch (error) {
        expect(error, name).toBeInstanceOf(TubeletError);
        const e = error as TubeletError;
        expect(['WEIGHTS_MALFORMED', 'WEIGHTS_UNSUPPORTED'], `${name}: ${e.message}`).toContain(e.code);
        expect(e.message.startsWith('fuzz.safetensors: '), e.message).toBe(true);
        outcomes.errors++;
        continue;
      }
      outcomes.ok++;
      const dataStart = 8 + new DataView(mutant.buffer).getUint32(0, true);
      let covered = 0;
      for (const t of file.tensors.values()) {
        const numel = numelOf(t.shape);
        expect(numel).not.toBeNull();
        expect(t.data.length).toBe(numel);
        expect(t.data.BYTES_PER_ELEMENT).toBe(DTYPE_SIZE[t.dtype]);
        if (t.data.buffer === mutant.buffer) {
          expect(t.data.byteOffset).toBeGreaterThanOrEqual(mutant.byteOffset + dataStart);
          expect(t.data.byteOffset + t.data.byteLength).toBeLessThanOrEqual(
            mutant.byteOffset + mutant.byteLength,
          );
        }
        covered += t.data.byteLength;
      }
      expect(covered).toBe(mutant.byteLength - dataStart);
    }
    expect(outcomes.errors).toBeGreaterThan(1000);
    expect(outcomes.ok).toBeGreaterThan(100); // flips in data bytes leave valid files
  }, 60_000);
});
