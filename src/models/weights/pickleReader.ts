// The byte cursor under the restricted unpickler: bounds-checked reads of pickle operands, with errors that name the
// file and the opcode's offset. Pure; compute worker (and Node for tests).
import type { TubeletError } from '../../shared/errors.ts';
import { weightsError } from './dtypes.ts';

const MAX_LONG_BYTES = 64; // bigger ints cannot be tensor metadata, and BigInt decoding is quadratic
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Lenient = new TextDecoder('utf-8');

export class PickleReader {
  protected pos = 0;
  /** Start of the current opcode, for error messages. */
  protected at = 0;
  protected readonly dv: DataView;

  constructor(
    protected readonly bytes: Uint8Array,
    protected readonly fileName: string,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  protected fail(message: string): TubeletError {
    return weightsError('WEIGHTS_MALFORMED', this.fileName, `pickle byte ${this.at}: ${message}`);
  }
  protected unsupported(message: string): TubeletError {
    return weightsError('WEIGHTS_UNSUPPORTED', this.fileName, `pickle byte ${this.at}: ${message}`);
  }
  protected need(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || n > this.bytes.byteLength - this.pos)
      throw this.fail('data is truncated');
    const at = this.pos;
    this.pos += n;
    return at;
  }
  protected u8(): number {
    return this.dv.getUint8(this.need(1));
  }
  protected u16(): number {
    return this.dv.getUint16(this.need(2), true);
  }
  protected u32(): number {
    return this.dv.getUint32(this.need(4), true);
  }
  protected u64(): number {
    const at = this.need(8);
    const v = this.dv.getUint32(at + 4, true) * 2 ** 32 + this.dv.getUint32(at, true);
    if (!Number.isSafeInteger(v)) throw this.fail(`length ${v} is too large`);
    return v;
  }
  protected take(n: number): Uint8Array {
    const at = this.need(n);
    return this.bytes.subarray(at, at + n);
  }
  protected text(n: number): string {
    const bytes = this.take(n);
    try {
      return utf8.decode(bytes);
    } catch {
      throw this.fail('string is not valid UTF-8');
    }
  }
  protected line(): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0 || end - this.pos > 4096) throw this.fail('text line has no end within 4 KiB');
    const bytes = this.take(end - this.pos + 1).subarray(0, -1);
    return bytes.every((b) => b < 0x80) ? String.fromCharCode(...bytes) : utf8Lenient.decode(bytes);
  }
  protected long(b: Uint8Array): number | bigint {
    if (b.byteLength > MAX_LONG_BYTES) throw this.unsupported(`a ${b.byteLength}-byte integer is too large`);
    let v = 0n;
    for (let i = b.byteLength - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] ?? 0);
    if (b.byteLength > 0 && (b[b.byteLength - 1] ?? 0) & 0x80) v -= 1n << BigInt(8 * b.byteLength);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  protected decimal(text: string, what: string): number | bigint {
    if (!/^[-+]?\d{1,60}$/.test(text)) throw this.fail(`${what} '${text.slice(0, 40)}' is not an integer`);
    const v = BigInt(text);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  /** Python 2 str (BINSTRING): decoded leniently as UTF-8, as torch.load(encoding='utf-8') would. */
  protected legacyText(n: number): string {
    return utf8Lenient.decode(this.take(n));
  }
}
