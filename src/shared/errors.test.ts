import { describe, expect, it } from 'vitest';
import { deserializeError, formatError, isSerializedError, serializeError, TubeletError } from './errors.ts';

describe('coded errors', () => {
  it('round-trips code, message and hint through structured cloning', () => {
    const original = new TubeletError('ADAPTER_NOT_FOUND', 'no adapter', { hint: 'use Chrome' });
    const cloned = structuredClone(serializeError(original));
    const back = deserializeError(cloned);
    expect(back).toBeInstanceOf(TubeletError);
    expect(back.code).toBe('ADAPTER_NOT_FOUND');
    expect(back.message).toBe('no adapter');
    expect(back.hint).toBe('use Chrome');
  });

  it('turns foreign errors into INTERNAL with their message and stack', () => {
    const s = serializeError(new RangeError('bad size'));
    expect(s.code).toBe('INTERNAL');
    expect(s.message).toBe('bad size');
    expect(s.details).toContain('RangeError');
    expect(serializeError('plain string')).toEqual({ code: 'INTERNAL', message: 'plain string' });
  });

  it('passes already-serialised errors through unchanged', () => {
    const s = { code: 'DEVICE_LOST', message: 'gone' } as const;
    expect(isSerializedError(s)).toBe(true);
    expect(serializeError(s)).toBe(s);
    expect(isSerializedError({ code: 'NOT_A_CODE', message: 'x' })).toBe(false);
  });

  it('rejects malformed codes defensively when rehydrating', () => {
    const back = deserializeError({ code: 'WHATEVER', message: 42 });
    expect(back.code).toBe('INTERNAL');
    expect(back.message).toBe('Unknown error');
  });

  it('formats one line with the hint', () => {
    expect(formatError({ code: 'JOB_CANCELLED', message: 'stopped', hint: 'run again' })).toBe(
      '[JOB_CANCELLED] stopped — run again',
    );
  });
});
