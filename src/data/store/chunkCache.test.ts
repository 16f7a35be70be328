import { describe, expect, it } from 'vitest';
import { ByteLru } from './chunkCache.ts';

const buf = (n: number): Uint8Array => new Uint8Array(n);

describe('ByteLru', () => {
  it('evicts the least recently used entries beyond its byte budget', () => {
    const lru = new ByteLru<Uint8Array>(10);
    lru.set('a', buf(4));
    lru.set('b', buf(4));
    expect(lru.get('a')?.byteLength).toBe(4); // a is now newer than b
    lru.set('c', buf(4));
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBeDefined();
    expect(lru.get('c')).toBeDefined();
    expect(lru.bytes).toBe(8);
  });

  it('keeps a single entry larger than the budget until the next one arrives', () => {
    const lru = new ByteLru<Uint8Array>(10);
    lru.set('a', buf(4));
    lru.set('big', buf(40));
    expect(lru.size).toBe(1);
    expect(lru.get('big')).toBeDefined();
    lru.set('b', buf(2));
    expect(lru.get('big')).toBeUndefined();
    expect(lru.bytes).toBe(2);
  });

  it('replaces, deletes by prefix and clears with exact byte accounting', () => {
    const lru = new ByteLru<Uint8Array>(100);
    lru.set('v1\u00000', buf(10));
    lru.set('v1\u00000', buf(5));
    lru.set('v1\u00001', buf(5));
    lru.set('v2\u00000', buf(7));
    expect(lru.bytes).toBe(17);
    lru.deletePrefix('v1\u0000');
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(7);
    lru.clear();
    expect(lru.bytes).toBe(0);
  });
});
