// Writes a flat state dict as a torch.save zip checkpoint (pickle protocol 2, one storage per tensor) that
// torch.load(path, weights_only=True) accepts. Pure; compute worker (and Node for tests).
import { TubeletError } from '../../shared/errors.ts';
import { DTYPE_SIZE, bytesOf, numelOf, type WeightDtype, type WeightTensor } from './dtypes.ts';
import { writeZip, type ZipWriteEntry } from './zipWrite.ts';

const STORAGE_CLASS: Readonly<Record<WeightDtype, string>> = {
  float32: 'FloatStorage',
  float16: 'HalfStorage',
  bfloat16: 'BFloat16Storage',
  float64: 'DoubleStorage',
  int64: 'LongStorage',
  int32: 'IntStorage',
  int16: 'ShortStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bool: 'BoolStorage',
};

/** Pickle opcodes (protocol 2) for the few value kinds a state dict needs. */
class PickleWriter {
  private readonly parts: number[] = [];
  private readonly encoder = new TextEncoder();

  op(...codes: number[]): this {
    for (const c of codes) this.parts.push(c);
    return this;
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...this.encoder.encode(`${module}\n${name}\n`));
  }
  str(s: string): this {
    const b = this.encoder.encode(s);
    return this.op(0x58, ...le(b.byteLength, 4), ...b); // BINUNICODE
  }
  /** A non-negative integer below 2^53 (sizes, strides, offsets). */
  int(n: number): this {
    if (n < 0x100) return this.op(0x4b, n); // BININT1
    if (n < 0x10000) return this.op(0x4d, ...le(n, 2)); // BININT2
    if (n < 0x80000000) return this.op(0x4a, ...le(n, 4)); // BININT
    return this.op(0x8a, 8, ...le(n, 8)); // LONG1: 8 bytes, top bit clear
  }
  intTuple(values: readonly number[]): this {
    if (values.length === 0) return this.op(0x29); // EMPTY_TUPLE
    this.op(0x28); // MARK
    for (const v of values) this.int(v);
    return this.op(0x74); // TUPLE
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Little-endian bytes of a non-negative integer below 2^53. */
function le(n: number, width: number): number[] {
  const out: number[] = [];
  let v = n;
  for (let i = 0; i < width; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

export interface PthWriteOptions {
  /** The archive's top folder; torch.save uses the file's stem. Default 'archive'. */
  folder?: string;
}

/**
 * Serialises `tensors` (dotted names → dense little-endian tensors) as an OrderedDict state dict in torch.save's
 * zip format. Loads in PyTorch ≥ 1.6 with torch.load(path) and with weights_only=True.
 */
export function writePth(
  tensors: Iterable<readonly [string, WeightTensor]>,
  options: PthWriteOptions = {},
): Uint8Array {
  const folder = options.folder ?? 'archive';
  if (!/^[\w.-]+$/.test(folder))
    throw new TubeletError('INVALID_ARGUMENT', `pth writer: bad folder '${folder}'`);
  const p = new PickleWriter().op(0x80, 2); // PROTO 2
  p.global('collections', 'OrderedDict').op(0x29, 0x52); // OrderedDict()
  p.op(0x28); // MARK for SETITEMS
  const storages: ZipWriteEntry[] = [];
  const names = new Set<string>();
  for (const [name, t] of tensors) {
    const numel = numelOf(t.shape);
    if (names.has(name))
      throw new TubeletError('INVALID_ARGUMENT', `pth writer: tensor '${name}' is given twice`);
    if (numel === null || numel !== t.data.length || t.data.BYTES_PER_ELEMENT !== DTYPE_SIZE[t.dtype]) {
      const shape = t.shape.join(', ');
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `pth writer: tensor '${name}' data does not match ${t.dtype}[${shape}]`,
      );
    }
    names.add(name);
    const key = String(storages.length);
    storages.push({ name: `${folder}/data/${key}`, data: bytesOf(t.data) });
    const strides = t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    p.str(name);
    p.global('torch._utils', '_rebuild_tensor_v2').op(0x28); // MARK for the argument tuple
    p.op(0x28).str('storage').global('torch', STORAGE_CLASS[t.dtype]).str(key).str('cpu').int(numel).op(0x74);
    p.op(0x51); // BINPERSID
    p.int(0).intTuple(t.shape).intTuple(strides).op(0x89); // offset, size, stride, requires_grad=False
    p.global('collections', 'OrderedDict').op(0x29, 0x52); // backward_hooks = OrderedDict()
    p.op(0x74, 0x52); // TUPLE, REDUCE
  }
  p.op(0x75, 0x2e); // SETITEMS, STOP
  const encoder = new TextEncoder();
  return writeZip(
    [
      { name: `${folder}/data.pkl`, data: p.bytes() },
      { name: `${folder}/byteorder`, data: encoder.encode('little') },
      ...storages,
      { name: `${folder}/version`, data: encoder.encode('3\n') },
    ],
    { align: 64 },
  );
}
