import { describe, expect, it } from 'vitest';
import { TubeletError } from '../../shared/errors.ts';
import { Rng } from '../../shared/random.ts';
import { PickleOpaque, PickleTuple, StorageRef, TensorRef, type PickleValue } from './pickleValues.ts';
import { unpickle } from './unpickle.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16));
/** Bytes from a string of char codes ≤ 255 (pickle opcodes read like Python's b'...'). */
const raw = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

// Golden pickles made with CPython 3.11's pickle module (no torch):
//   shared = [1]; rich = {'int': 1, 'neg': -2, 'big': 2**70, 'bigneg': -(2**64), 'i32': 2**31-1, 'float': 1.5,
//     'inf': float('-inf'), 'true': True, 'false': False, 'none': None, 'str': 'héllo', 'bytes': b'\x00\xff',
//     'list': [1, [2, 3]], 'tuple': (1, 2, 3, 4), 't1': (1,), 'empty': (), 'od': OrderedDict([('a', 1)]),
//     'set': {7}, 'fset': frozenset([8]), 'bytearray': bytearray(b'ab'), 5: 'intkey', 's1': shared, 's2': shared}
//   pickle.dumps(rich, protocol=p) for p in 2, 3, 4, 5
const RICH: Record<number, string> = {
  2: '80027d7100285803000000696e7471014b0158030000006e656771024afeffffff580300000062696771038a0900000000000000004058060000006269676e656771048a090000000000000000ff580300000069333271054affffff7f5805000000666c6f61747106473ff80000000000005803000000696e66710747fff0000000000000580400000074727565710888580500000066616c736571098958040000006e6f6e65710a4e5803000000737472710b580600000068c3a96c6c6f710c58050000006279746573710d635f636f646563730a656e636f64650a710e580300000000c3bf710f58060000006c6174696e31711086711152711258040000006c69737471135d7114284b015d7115284b024b03656558050000007475706c657116284b014b024b034b047471175802000000743171184b018571195805000000656d707479711a2958020000006f64711b63636f6c6c656374696f6e730a4f726465726564446963740a711c2952711d580100000061711e4b01735803000000736574711f635f5f6275696c74696e5f5f0a7365740a71205d71214b07618571225271235804000000667365747124635f5f6275696c74696e5f5f0a66726f7a656e7365740a71255d71264b086185712752712858090000006279746561727261797129635f5f6275696c74696e5f5f0a6279746561727261790a712a680e58020000006162712b681086712c52712d85712e52712f4b055806000000696e746b657971305802000000733171315d71324b01615802000000733271336832752e',
  3: '80037d7100285803000000696e7471014b0158030000006e656771024afeffffff580300000062696771038a0900000000000000004058060000006269676e656771048a090000000000000000ff580300000069333271054affffff7f5805000000666c6f61747106473ff80000000000005803000000696e66710747fff0000000000000580400000074727565710888580500000066616c736571098958040000006e6f6e65710a4e5803000000737472710b580600000068c3a96c6c6f710c58050000006279746573710d430200ff710e58040000006c697374710f5d7110284b015d7111284b024b03656558050000007475706c657112284b014b024b034b047471135802000000743171144b018571155805000000656d70747971162958020000006f64711763636f6c6c656374696f6e730a4f726465726564446963740a711829527119580100000061711a4b01735803000000736574711b636275696c74696e730a7365740a711c5d711d4b076185711e52711f5804000000667365747120636275696c74696e730a66726f7a656e7365740a71215d71224b086185712352712458090000006279746561727261797125636275696c74696e730a6279746561727261790a71264302616271278571285271294b055806000000696e746b6579712a58020000007331712b5d712c4b016158020000007332712d682c752e',
  4: '80049566010000000000007d94288c03696e74944b018c036e6567944afeffffff8c03626967948a090000000000000000408c066269676e6567948a090000000000000000ff8c03693332944affffff7f8c05666c6f617494473ff80000000000008c03696e669447fff00000000000008c047472756594888c0566616c736594898c046e6f6e65944e8c03737472948c0668c3a96c6c6f948c05627974657394430200ff948c046c697374945d94284b015d94284b024b0365658c057475706c6594284b014b024b034b0474948c027431944b0185948c05656d70747994298c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b01738c03736574948f94284b07908c046673657494284b0891948c09627974656172726179948c086275696c74696e73948c096279746561727261799493944302616294859452944b058c06696e746b6579948c027331945d944b01618c02733294682a752e',
  5: '80059550010000000000007d94288c03696e74944b018c036e6567944afeffffff8c03626967948a090000000000000000408c066269676e6567948a090000000000000000ff8c03693332944affffff7f8c05666c6f617494473ff80000000000008c03696e669447fff00000000000008c047472756594888c0566616c736594898c046e6f6e65944e8c03737472948c0668c3a96c6c6f948c05627974657394430200ff948c046c697374945d94284b015d94284b024b0365658c057475706c6594284b014b024b034b0474948c027431944b0185948c05656d70747994298c026f64948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c0161944b01738c03736574948f94284b07908c046673657494284b0891948c09627974656172726179949602000000000000006162944b058c06696e746b6579948c027331945d944b01618c027332946825752e',
};
// class Evil: __reduce__ = lambda self: (os.system, ('echo pwned',)); pickle.dumps(Evil(), protocol=2 / 4)
const EVIL2 = '800263706f7369780a73797374656d0a7100580a0000006563686f2070776e656471018571025271032e';
const EVIL4 =
  '80049525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e';
// (eval, ('1+1',)) with protocol 2
const EVAL2 = '8002635f5f6275696c74696e5f5f0a6576616c0a71005803000000312b3171018571025271032e';
// {'args': argparse.Namespace(lr=0.1), 'keep': [1]}, protocol 2 (NEWOBJ + BUILD)
const NAMESPACE2 =
  '80027d71002858040000006172677371016361726770617273650a4e616d6573706163650a7102298171037d710458020000006c727105473fb999999999999a736258040000006b65657071065d71074b0161752e';
// {'arr': np.arange(3), 'x': np.float64(1.5), 'keep': 'yes'}, protocol 2 (what MMEngine metadata looks like)
const NUMPY2 =
  '80027d71002858030000006172727101636e756d70792e636f72652e6d756c746961727261790a5f7265636f6e7374727563740a7102636e756d70790a6e6461727261790a71034b00857104635f636f646563730a656e636f64650a7105580100000062710658060000006c6174696e31710786710852710987710a52710b284b014b0385710c636e756d70790a64747970650a710d58020000006938710e898887710f527110284b0358010000003c71114e4e4e4affffffff4affffffff4b0074711262896805581800000000000000000000000100000000000000020000000000000071136807867114527115747116625801000000787117636e756d70792e636f72652e6d756c746961727261790a7363616c61720a7118680d580200000066387119898887711a52711b284b0368114e4e4e4affffffff4affffffff4b0074711c6268055809000000000000000000c3b83f711d680786711e52711f86712052712158040000006b656570712258030000007965737123752e';

function rejection(run: () => unknown): TubeletError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TubeletError);
    return error as TubeletError;
  }
  throw new Error('expected an error');
}

describe('restricted unpickler: plain data', () => {
  it.each([2, 3, 4, 5])('reads every plain value kind at protocol %i', (protocol) => {
    const { value, skipped } = unpickle(hex(RICH[protocol] ?? ''), 'rich.pkl');
    expect(skipped).toEqual([]);
    expect(value).toBeInstanceOf(Map);
    const d = value as Map<PickleValue, PickleValue>;
    expect(d.get('int')).toBe(1);
    expect(d.get('neg')).toBe(-2);
    expect(d.get('big')).toBe(2n ** 70n);
    expect(d.get('bigneg')).toBe(-(2n ** 64n));
    expect(d.get('i32')).toBe(2 ** 31 - 1);
    expect(d.get('float')).toBe(1.5);
    expect(d.get('inf')).toBe(-Infinity);
    expect([d.get('true'), d.get('false'), d.get('none')]).toEqual([true, false, null]);
    expect(d.get('str')).toBe('héllo');
    expect(d.get('bytes')).toEqual(new Uint8Array([0, 255]));
    expect(d.get('list')).toEqual([1, [2, 3]]);
    expect(d.get('tuple')).toEqual(new PickleTuple([1, 2, 3, 4]));
    expect(d.get('t1')).toEqual(new PickleTuple([1]));
    expect(d.get('empty')).toEqual(new PickleTuple([]));
    expect(d.get('od')).toEqual(new Map([['a', 1]]));
    expect(d.get('set')).toEqual(new Set([7]));
    expect(d.get('fset')).toEqual(new Set([8]));
    expect(d.get('bytearray')).toEqual(new Uint8Array([0x61, 0x62]));
    expect(d.get(5)).toBe('intkey');
    expect(d.get('s1')).toBe(d.get('s2')); // memo keeps shared references shared
  });

  it('rebuilds torch tensors lazily and checks them against their storage', () => {
    // _rebuild_tensor_v2(('storage', FloatStorage, '0', 'cpu', 6), 1, (2, 2), (1, 2), False, OrderedDict())
    const tensor = (numel: string, offset: string) =>
      raw(
        `\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK${numel}tQK${offset}K\x02K\x02\x86K\x01K\x02\x86\x89ccollections\nOrderedDict\n)RtR.`,
      );
    const { value, storages } = unpickle(tensor('\x06', '\x01'), 't.pkl');
    expect(value).toEqual(new TensorRef(new StorageRef('0', 'float32', 6, 'cpu'), 1, [2, 2], [1, 2]));
    expect(storages.get('0')?.numel).toBe(6);
    // offset 1 + (2-1)·1 + (2-1)·2 = 4 must be < numel
    expect(rejection(() => unpickle(tensor('\x04', '\x01'), 't.pkl')).message).toMatch(
      /reaches element 4 of storage '0' with 4/,
    );
  });
});

describe('restricted unpickler: refusals', () => {
  it.each([
    ['os.system, protocol 2', EVIL2, 'posix.system'],
    ['os.system, protocol 4 (STACK_GLOBAL)', EVIL4, 'posix.system'],
    ['builtins.eval', EVAL2, '__builtin__.eval'],
  ])('refuses %s even in lenient mode, naming it', (_, pickle, name) => {
    for (const lenient of [false, true]) {
      const e = rejection(() => unpickle(hex(pickle), 'checkpoint.pth', { lenient }));
      expect(e.code).toBe('WEIGHTS_UNSAFE');
      expect(e.message).toBe(
        `checkpoint.pth refers to '${name}', which Tubelet will not execute; re-save the state_dict with torch.save(model.state_dict())`,
      );
      expect(e.hint).toMatch(/hostile/);
    }
  });

  it('refuses unknown classes by default and skips them in lenient mode', () => {
    const strict = rejection(() => unpickle(hex(NAMESPACE2), 'ckpt.pth'));
    expect(strict.code).toBe('WEIGHTS_UNSAFE');
    expect(strict.message).toMatch(/'argparse\.Namespace'/);
    expect(strict.hint).toMatch(/lenient/);
    const { value, skipped } = unpickle(hex(NAMESPACE2), 'ckpt.pth', { lenient: true });
    expect(skipped).toEqual(['argparse.Namespace']);
    const d = value as Map<PickleValue, PickleValue>;
    expect(d.get('args')).toEqual(new PickleOpaque('argparse.Namespace'));
    expect(d.get('keep')).toEqual([1]);
  });

  it('skips numpy metadata (REDUCE, BUILD with state) in lenient mode', () => {
    expect(rejection(() => unpickle(hex(NUMPY2), 'mm.pth')).message).toMatch(
      /'numpy\.core\.multiarray\._reconstruct'/,
    );
    const { value, skipped } = unpickle(hex(NUMPY2), 'mm.pth', { lenient: true });
    expect(skipped).toEqual([
      'numpy.core.multiarray._reconstruct',
      'numpy.core.multiarray.scalar',
      'numpy.dtype',
      'numpy.ndarray',
    ]);
    expect((value as Map<PickleValue, PickleValue>).get('keep')).toBe('yes');
  });

  it('refuses storages pickled with plain pickle (torch.storage._load_from_bytes)', () => {
    const p = raw('\x80\x02ctorch.storage\n_load_from_bytes\nC\x01\x00\x85R.');
    const e = rejection(() => unpickle(p, 's.pkl', { lenient: true }));
    expect(e.code).toBe('WEIGHTS_UNSUPPORTED');
    expect(e.message).toMatch(/_load_from_bytes/);
  });

  it('will not call an allowed class it only knows as a value', () => {
    const e = rejection(() => unpickle(raw('\x80\x02ctorch\nFloatStorage\n)R.'), 'f.pkl'));
    expect(e.message).toMatch(/'torch\.FloatStorage'/);
  });

  it.each([
    ['truncated', '\x80\x02X\x05\x00\x00\x00ab', /data is truncated/],
    ['unknown opcode', '\x80\x02\xff.', /unknown opcode 0xff/],
    ['stack underflow', '\x80\x02t.', /no MARK/],
    ['pop past a mark', '\x80\x02K\x01(\x85.', /stack underflow/],
    ['missing memo', '\x80\x02h\x09.', /memo 9 was never stored/],
    ['unbalanced STOP', '\x80\x02K\x01K\x02.', /unbalanced/],
    ['no STOP', '\x80\x02K\x01', /truncated/],
    ['SETITEM on a list', '\x80\x02]K\x01K\x02s.', /SETITEM on a list/],
    ['BUILD on a list', '\x80\x02]}b.', /BUILD on a list/],
    ['bad persistent id', '\x80\x02K\x01Q.', /persistent id/],
  ])('reports malformed pickles: %s', (_, bytes, pattern) => {
    const e = rejection(() => unpickle(raw(bytes), 'm.pkl'));
    expect(e.code).toBe('WEIGHTS_MALFORMED');
    expect(e.message).toMatch(/^m\.pkl: pickle byte \d+: /);
    expect(e.message).toMatch(pattern);
  });

  it('refuses protocol 0 text strings and huge integers as unsupported', () => {
    const p0 = hex('286470300a56610a70310a56620a70320a732e'); // pickle.dumps({'a': 'b'}, protocol=0)
    expect(rejection(() => unpickle(p0, 'p0.pkl')).code).toBe('WEIGHTS_UNSUPPORTED');
    const huge = raw(`\x80\x02\x8b\x00\x01\x00\x00${'\x01'.repeat(256)}.`);
    expect(rejection(() => unpickle(huge, 'h.pkl')).message).toMatch(/256-byte integer/);
  });

  it('handles self-referencing lists without looping', () => {
    const { value } = unpickle(hex('80025d71006800612e'), 'cycle.pkl'); // l = []; l.append(l)
    expect(Array.isArray(value) && value[0] === value).toBe(true);
  });

  it('fuzz: random corruption gives a value or a coded error, never anything else', () => {
    const rng = new Rng(5);
    const sources = [...Object.values(RICH), NAMESPACE2, NUMPY2, EVIL2].map(hex);
    for (let i = 0; i < 2000; i++) {
      const source = sources[rng.int(sources.length)] ?? new Uint8Array(0);
      const mutant = rng.int(4) === 0 ? source.slice(0, rng.int(source.byteLength)) : source.slice();
      for (let k = rng.int(4) + 1; k > 0 && mutant.byteLength > 0; k--)
        mutant[rng.int(mutant.byteLength)] = rng.int(256);
      try {
        unpickle(mutant, 'fuzz.pkl', { lenient: rng.int(2) === 0 });
      } catch (error) {
        expect(error).toBeInstanceOf(TubeletError);
        expect((error as TubeletError).message).toMatch(/^fuzz\.pkl/);
      }
    }
  }, 60_000);
});
