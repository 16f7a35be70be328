// The IndexedDB schema and the tuning store in a real browser, on a scratch database.
import { deleteDB } from 'idb';
import { afterAll, describe, expect, it } from 'vitest';
import { closeStudioDb, DB_VERSION, openStudioDb } from './db.ts';
import { createTuningStore } from './tuningStore.ts';

const NAME = `tubelet-test-${Date.now()}`;

afterAll(async () => {
  await closeStudioDb(NAME);
  await deleteDB(NAME);
});

describe('studio database', () => {
  it('creates every object store of the current version', async () => {
    const db = await openStudioDb(NAME);
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames]).toContain('tuning');
  });

  it('keeps tuning winners per adapter across reopen, and clears one adapter only', async () => {
    const store = createTuningStore(NAME);
    const record = {
      kernel: 'conv3d_fwd',
      shapeClass: 's',
      candidates: 3,
      medianMs: 1.5,
      config: '{"tileM":64}',
    };
    await store.set('a|conv3d_fwd|s', { ...record, adapterKey: 'a' });
    await store.set('b|conv3d_fwd|s', { ...record, adapterKey: 'b' });
    await closeStudioDb(NAME);
    expect(await store.get('a|conv3d_fwd|s')).toEqual({ config: '{"tileM":64}', medianMs: 1.5 });
    expect(await store.clear('a')).toBe(1);
    expect(await store.get('a|conv3d_fwd|s')).toBeUndefined();
    expect(await store.get('b|conv3d_fwd|s')).toBeDefined();
  });
});
