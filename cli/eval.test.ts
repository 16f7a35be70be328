// `tubelet eval` argument handling: split names, protocol vs views, averaging, unsupported checkpoint/run.
import { describe, expect, it } from 'vitest';
import { evalSpec, evalSplit } from './commands/eval.ts';
import { parseCli } from './args.ts';

const base = {
  model: 'toy_r3d',
  dataset: 'toy-actions',
  protocol: undefined,
  views: undefined,
  average: undefined,
  split: undefined,
  checkpoint: undefined,
  run: undefined,
};

describe('tubelet eval arguments', () => {
  it('maps --split test|val|N|all to split tags', () => {
    expect(evalSplit('2')).toBe('test2');
    expect(evalSplit('test')).toBe('test1');
    expect(evalSplit('val')).toBe('val1');
    expect(evalSplit('all')).toBe('all');
    expect(evalSplit('train3')).toBe('train3');
    expect(() => evalSplit('4')).toThrow(/--split/);
  });
  it('builds the job spec; custom views select the custom protocol', () => {
    expect(evalSpec({ ...base, views: '3x3', average: 'prob', split: '1' })).toEqual({
      kind: 'eval',
      model: 'toy_r3d',
      dataset: 'toy-actions',
      protocol: 'custom',
      views: '3x3',
      average: 'prob',
      split: 'test1',
    });
    expect(evalSpec({ ...base, protocol: 'ucf101-split1' }).protocol).toBe('ucf101-split1');
    expect(() => evalSpec({ ...base, protocol: 'x', views: '1x1' })).toThrow(/not both/);
    expect(() => evalSpec({ ...base, average: 'mean' })).toThrow(/--average/);
    expect(() => evalSpec({ ...base, run: 'r1' })).toThrow(/not supported yet/);
    expect(() => evalSpec({ ...base, model: undefined })).toThrow(/--model/);
  });
  it('parseCli keeps --split as text for eval', () => {
    const { options } = parseCli([
      'eval',
      '--model',
      'm',
      '--dataset',
      'd',
      '--split',
      'test',
      '--views',
      '10x3',
    ]);
    expect(options.evalSplit).toBe('test');
    expect(options.split).toBeUndefined();
    expect(options.views).toBe('10x3');
  });
});

describe('tubelet eval clip length, interval and crop size', () => {
  it('parses --clip-len/--interval/--crop-size into the spec and the resolved protocol', async () => {
    const { options } = parseCli(
      ['eval', '--model', 'm', '--dataset', 'd', '--clip-len', '8', '--interval', '2', '--crop-size', '32'],
      {},
    );
    const spec = evalSpec({
      ...base,
      clipLen: options.clipLen,
      interval: options.interval,
      cropSize: options.cropSize,
    });
    expect(spec).toMatchObject({ clipLen: 8, frameInterval: 2, cropSize: 32 });
    const { protocolPreset, resolveProtocol } = await import('../src/eval/protocols.ts');
    const p = resolveProtocol(protocolPreset('kinetics400-val'), [16, 112, 112], {
      clipLen: 8,
      frameInterval: 2,
      cropSize: 32,
    });
    expect(p.views).toMatchObject({ clipLen: 8, frameInterval: 2, cropSize: 32 });
    expect(p.shortSide).toBe(32);
    expect(() => parseCli(['eval', '--crop-size', '4'], {})).toThrow(/--crop-size/);
  });
});
