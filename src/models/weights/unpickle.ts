// A restricted pickle VM (protocols 2–5) that builds plain data and lazy torch tensors and refuses every global not
// on the torchGlobals allowlist; it never executes anything. Pure; compute worker (and Node for tests).
import { copyBytes, weightsError } from './dtypes.ts';
import { PickleReader } from './pickleReader.ts';
import {
  PickleGlobal,
  PickleOpaque,
  PickleTuple,
  describe,
  type PickleValue,
  type StorageRef,
} from './pickleValues.ts';
import { RESAVE, isDangerous, refusal, roleOf, storageFromPid, type CallContext } from './torchGlobals.ts';

export interface UnpickleOptions {
  /**
   * Replace objects of unknown (but not dangerous) classes with inert PickleOpaque placeholders instead of refusing
   * the file, so that metadata such as MMEngine's `meta` / `message_hub` is skipped while tensors are still read.
   */
  lenient?: boolean;
}

export interface UnpickleResult {
  value: PickleValue;
  /** Storages by key, as the persistent ids named them. */
  storages: ReadonlyMap<string, StorageRef>;
  /** Unknown globals that lenient mode replaced with placeholders, sorted. */
  skipped: readonly string[];
}

const NOTHING = Symbol('nothing');

/** Runs `bytes` (a data.pkl) through the restricted VM. Errors name `fileName` and the byte offset. */
export function unpickle(bytes: Uint8Array, fileName: string, options: UnpickleOptions = {}): UnpickleResult {
  return new Machine(bytes, fileName, options.lenient === true).run();
}

class Machine extends PickleReader {
  private readonly stack: PickleValue[] = [];
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly storages = new Map<string, StorageRef>();
  private readonly skipped = new Set<string>();
  private readonly ctx: CallContext;

  constructor(
    bytes: Uint8Array,
    fileName: string,
    private readonly lenient: boolean,
  ) {
    super(bytes, fileName);
    this.ctx = {
      fail: (m) => this.fail(m),
      unsupported: (m) => this.unsupported(m),
      call: (target, args) => this.call(target, args, 'reduce'),
    };
  }

  private pop(): PickleValue {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) throw this.fail('stack underflow');
    return this.stack.pop() ?? null;
  }
  private top(): PickleValue {
    if (this.stack.length <= (this.marks.at(-1) ?? 0)) throw this.fail('stack underflow');
    return this.stack[this.stack.length - 1] ?? null;
  }
  private popMark(): PickleValue[] {
    const mark = this.marks.pop();
    if (mark === undefined) throw this.fail('no MARK to pop to');
    return this.stack.splice(mark);
  }
  private memoGet(index: number): PickleValue {
    const v = this.memo.get(index);
    if (v === undefined) throw this.fail(`memo ${index} was never stored`);
    return v;
  }

  /** A global by name: allowed ones become PickleGlobal; unknown ones are refused, or placeholders if lenient. */
  private global(module: string, name: string): PickleGlobal {
    const qualified = `${module}.${name}`;
    if (roleOf(qualified) !== undefined) return new PickleGlobal(module, name);
    if (qualified === 'torch.storage._load_from_bytes') {
      throw weightsError(
        'WEIGHTS_UNSUPPORTED',
        this.fileName,
        `holds tensors pickled without torch.save ('${qualified}' needs torch.load to run); ${RESAVE}`,
      );
    }
    const dangerous = isDangerous(module, name);
    if (this.lenient && !dangerous) {
      this.skipped.add(qualified);
      return new PickleGlobal(module, name);
    }
    throw refusal(this.fileName, qualified, dangerous);
  }

  /** REDUCE / NEWOBJ / INST / OBJ: only allowlisted callables run (as our own code); lenient skips unknown ones. */
  private call(target: PickleValue, args: readonly PickleValue[], how: 'reduce' | 'construct'): PickleValue {
    if (target instanceof PickleOpaque && this.lenient) return new PickleOpaque(target.global);
    if (!(target instanceof PickleGlobal)) throw this.fail(`cannot call ${describe(target)}`);
    const role = roleOf(target.qualifiedName);
    if (role?.kind === 'call' && (how === 'reduce' || role.construct)) return role.call(args, this.ctx);
    if (role !== undefined && !this.lenient) throw refusal(this.fileName, target.qualifiedName, false); // e.g. FloatStorage()
    this.skipped.add(target.qualifiedName);
    return new PickleOpaque(target.qualifiedName);
  }

  run(): UnpickleResult {
    for (;;) {
      this.at = this.pos;
      const op = this.u8();
      if (op === 0x2e) break; // STOP
      const pushed = this.step(op);
      if (pushed !== NOTHING) this.stack.push(pushed);
    }
    if (this.marks.length > 0 || this.stack.length !== 1) throw this.fail('STOP with an unbalanced stack');
    const value = this.stack[0] ?? null;
    return { value, storages: this.storages, skipped: [...this.skipped].sort() };
  }

  /** Runs one opcode; returns the value it pushes, or NOTHING. */
  private step(op: number): PickleValue | typeof NOTHING {
    const { stack } = this;
    switch (op) {
      case 0x80: // PROTO
        if (this.u8() > 5) throw this.unsupported('pickle protocol above 5');
        return NOTHING;
      case 0x95: // FRAME: a size hint only
        this.u64();
        return NOTHING;
      case 0x28: // MARK
        this.marks.push(stack.length);
        return NOTHING;
      case 0x30: // POP (a MARK when nothing was pushed after it)
        if (stack.length === (this.marks.at(-1) ?? -1)) this.marks.pop();
        else this.pop();
        return NOTHING;
      case 0x31: // POP_MARK
        this.popMark();
        return NOTHING;
      case 0x32: // DUP
        return this.top();
      case 0x4e: // NONE
        return null;
      case 0x88: // NEWTRUE
        return true;
      case 0x89: // NEWFALSE
        return false;
      case 0x49: {
        // INT (text; 01/00 are protocol-0 booleans)
        const s = this.line();
        return s === '01' ? true : s === '00' ? false : this.decimal(s, 'INT');
      }
      case 0x4a: // BININT
        return this.dv.getInt32(this.need(4), true);
      case 0x4b: // BININT1
        return this.u8();
      case 0x4d: // BININT2
        return this.u16();
      case 0x4c: // LONG (text)
        return this.decimal(this.line().replace(/L$/, ''), 'LONG');
      case 0x8a: // LONG1
        return this.long(this.take(this.u8()));
      case 0x8b: // LONG4
        return this.long(this.take(this.u32()));
      case 0x46: {
        // FLOAT (text)
        const s = this.line();
        if (!/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|inf|nan|\.\d+)$/i.test(s))
          throw this.fail(`FLOAT '${s.slice(0, 40)}'`);
        return /inf/i.test(s) ? (s.startsWith('-') ? -Infinity : Infinity) : Number(s);
      }
      case 0x47: // BINFLOAT (big-endian)
        return this.dv.getFloat64(this.need(8), false);
      case 0x54: // BINSTRING (Python 2 str)
        return this.legacyText(this.dv.getInt32(this.need(4), true));
      case 0x55: // SHORT_BINSTRING
        return this.legacyText(this.u8());
      case 0x58: // BINUNICODE
        return this.text(this.u32());
      case 0x8c: // SHORT_BINUNICODE
        return this.text(this.u8());
      case 0x8d: // BINUNICODE8
        return this.text(this.u64());
      case 0x43: // SHORT_BINBYTES
        return copyBytes(this.take(this.u8()));
      case 0x42: // BINBYTES
        return copyBytes(this.take(this.u32()));
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        return copyBytes(this.take(this.u64()));
      case 0x29: // EMPTY_TUPLE
        return new PickleTuple([]);
      case 0x74: // TUPLE
        return new PickleTuple(this.popMark());
      case 0x85: // TUPLE1
        return new PickleTuple([this.pop()]);
      case 0x86: {
        // TUPLE2
        const b = this.pop();
        return new PickleTuple([this.pop(), b]);
      }
      case 0x87: {
        // TUPLE3
        const c = this.pop();
        const b = this.pop();
        return new PickleTuple([this.pop(), b, c]);
      }
      case 0x5d: // EMPTY_LIST
        return [];
      case 0x6c: // LIST
        return this.popMark();
      case 0x61: // APPEND
        this.append([this.pop()]);
        return NOTHING;
      case 0x65: // APPENDS
        this.append(this.popMark());
        return NOTHING;
      case 0x7d: // EMPTY_DICT
        return new Map();
      case 0x64: {
        // DICT
        const dict = new Map<PickleValue, PickleValue>();
        this.setItems(dict, this.popMark());
        return dict;
      }
      case 0x73: {
        // SETITEM
        const value = this.pop();
        const key = this.pop();
        this.setItems(this.top(), [key, value]);
        return NOTHING;
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark();
        this.setItems(this.top(), items);
        return NOTHING;
      }
      case 0x8f: // EMPTY_SET
        return new Set();
      case 0x90: {
        // ADDITEMS
        const items = this.popMark();
        const set = this.top();
        if (set instanceof Set) items.forEach((v) => set.add(v));
        else if (!(set instanceof PickleOpaque)) throw this.fail(`ADDITEMS on ${describe(set)}`);
        return NOTHING;
      }
      case 0x91: // FROZENSET
        return new Set(this.popMark());
      case 0x70: // PUT (text)
        this.memo.set(Number(this.decimal(this.line(), 'PUT')), this.top());
        return NOTHING;
      case 0x71: // BINPUT
        this.memo.set(this.u8(), this.top());
        return NOTHING;
      case 0x72: // LONG_BINPUT
        this.memo.set(this.u32(), this.top());
        return NOTHING;
      case 0x94: // MEMOIZE
        this.memo.set(this.memo.size, this.top());
        return NOTHING;
      case 0x67: // GET (text)
        return this.memoGet(Number(this.decimal(this.line(), 'GET')));
      case 0x68: // BINGET
        return this.memoGet(this.u8());
      case 0x6a: // LONG_BINGET
        return this.memoGet(this.u32());
      case 0x63: {
        // GLOBAL
        const module = this.line();
        return this.global(module, this.line());
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw this.fail('STACK_GLOBAL needs two strings');
        return this.global(module, name);
      }
      case 0x52: {
        // REDUCE
        const args = this.pop();
        const target = this.pop();
        if (!(args instanceof PickleTuple)) throw this.fail(`REDUCE arguments are ${describe(args)}`);
        return this.call(target, args.items, 'reduce');
      }
      case 0x81: {
        // NEWOBJ
        const args = this.pop();
        const cls = this.pop();
        if (!(args instanceof PickleTuple)) throw this.fail(`NEWOBJ arguments are ${describe(args)}`);
        return this.call(cls, args.items, 'construct');
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!(args instanceof PickleTuple) || !(kwargs instanceof Map))
          throw this.fail('NEWOBJ_EX arguments');
        if (kwargs.size > 0 && !this.lenient) throw this.fail(`NEWOBJ_EX of ${describe(cls)} with keywords`);
        return this.call(cls, args.items, 'construct');
      }
      case 0x69: {
        // INST
        const module = this.line();
        const cls = this.global(module, this.line());
        return this.call(cls, this.popMark(), 'construct');
      }
      case 0x6f: {
        // OBJ
        const [cls = null, ...args] = this.popMark();
        return this.call(cls, args, 'construct');
      }
      case 0x62: {
        // BUILD: instance state; dicts keep theirs (e.g. a state_dict's _metadata) out of the items
        const state = this.pop();
        const obj = this.top();
        if (!this.lenient && !(obj instanceof Map) && !(obj instanceof PickleOpaque)) {
          throw this.fail(`BUILD on ${describe(obj)} with ${describe(state)}`);
        }
        return NOTHING;
      }
      case 0x51: // BINPERSID
        return storageFromPid(this.pop(), this.storages, this.ctx);
      case 0x98: // READONLY_BUFFER: no effect on in-band data
        this.top();
        return NOTHING;
      case 0x97: // NEXT_BUFFER
        throw this.unsupported('out-of-band buffers (pickle protocol 5 NEXT_BUFFER)');
      case 0x82:
      case 0x83:
      case 0x84:
        throw this.unsupported('the copyreg extension registry (EXT opcodes)');
      case 0x50:
      case 0x53:
      case 0x56:
        throw this.unsupported(`protocol-0 opcode '${String.fromCharCode(op)}'`);
      default:
        throw this.fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }

  private append(items: PickleValue[]): void {
    const list = this.top();
    const target = list instanceof PickleOpaque ? list.list : list;
    if (!Array.isArray(target)) throw this.fail(`APPEND to ${describe(list)}`);
    for (const v of items) target.push(v);
  }

  private setItems(target: PickleValue, items: PickleValue[]): void {
    if (items.length % 2 !== 0) throw this.fail('SETITEMS with an odd number of items');
    const map = target instanceof PickleOpaque ? target.items : target;
    if (!(map instanceof Map)) throw this.fail(`SETITEM on ${describe(target)}`);
    for (let i = 0; i < items.length; i += 2) map.set(items[i] ?? null, items[i + 1] ?? null);
  }
}
