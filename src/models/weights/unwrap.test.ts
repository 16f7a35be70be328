import { describe, expect, it } from 'vitest';
import { describeUnwrap, unwrapStateDict } from './unwrap.ts';

const names = (...keys: string[]): Map<string, number> => new Map(keys.map((k, i) => [k, i]));

describe('unwrapStateDict', () => {
  it('leaves a plain state dict alone', () => {
    const { tensors, report } = unwrapStateDict(names('stem.0.weight', 'layer1.0.conv1.0.weight', 'fc.bias'));
    expect([...tensors.keys()]).toEqual(['stem.0.weight', 'layer1.0.conv1.0.weight', 'fc.bias']);
    expect(report).toEqual({ container: null, stripped: [], dropped: [], kept: 3 });
  });

  it("takes 'state_dict', drops the optimizer and strips DataParallel's 'module.'", () => {
    const flat = names(
      'state_dict.module.conv.weight',
      'state_dict.module.conv.bias',
      'optimizer.state.0.momentum_buffer',
    );
    const { tensors, report } = unwrapStateDict(flat);
    expect([...tensors]).toEqual([
      ['conv.weight', 0],
      ['conv.bias', 1],
    ]);
    expect(report).toEqual({
      container: 'state_dict',
      stripped: ['module.'],
      dropped: [{ group: 'optimizer', tensors: 1 }],
      kept: 2,
    });
    expect(describeUnwrap(report)).toBe(
      "took 'state_dict', stripped 'module.', dropped optimizer (1), kept 2 tensors",
    );
  });

  it('prefers plain weights over EMA unless asked, and finds model_state / model containers', () => {
    const flat = names('state_dict.a', 'state_dict_ema.a', 'model_ema.b');
    expect(unwrapStateDict(flat).report.container).toBe('state_dict');
    expect(unwrapStateDict(flat, { preferEma: true }).report.container).toBe('state_dict_ema');
    expect(unwrapStateDict(names('model_state.x', 'optimizer_state.y')).report.container).toBe('model_state');
    expect(unwrapStateDict(names('model.x', 'optimizer.y')).report.container).toBe('model');
    expect(unwrapStateDict(names('_orig_mod.module.x')).report.stripped).toEqual(['_orig_mod.', 'module.']);
  });

  it("does not mistake a submodule called 'model' for a container", () => {
    const { tensors, report } = unwrapStateDict(names('model.conv.weight', 'head.fc.weight'));
    expect(report.container).toBeNull();
    expect(tensors.size).toBe(2);
  });

  it("keeps a user prefix such as MMAction2's 'backbone.'", () => {
    const flat = names('state_dict.backbone.conv1.weight', 'state_dict.cls_head.fc.weight', 'meta.x');
    const { tensors, report } = unwrapStateDict(flat, { prefix: 'backbone.' });
    expect([...tensors.keys()]).toEqual(['conv1.weight']);
    expect(report.stripped).toEqual(['backbone.']);
    expect(report.dropped).toEqual([
      { group: 'meta', tensors: 1 },
      { group: 'cls_head', tensors: 1 },
    ]);
    expect(() => unwrapStateDict(flat, { prefix: 'encoder.' })).toThrow(
      /no weight name starts with 'encoder\.' \(found: backbone, cls_head\)/,
    );
  });
});
