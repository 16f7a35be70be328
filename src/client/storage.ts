// Asks the browser to keep this origin's storage (main thread only: StorageManager.persist is Window-only).

export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator.storage.persist !== 'function') return false;
  return navigator.storage.persist();
}

/** Usage and quota of this origin and whether its storage is persistent (main thread). */
export async function readStorage(): Promise<{
  usageBytes: number | null;
  quotaBytes: number | null;
  persisted: boolean | null;
}> {
  const estimate = await navigator.storage.estimate().catch(() => null);
  const persisted =
    typeof navigator.storage.persisted === 'function'
      ? await navigator.storage.persisted().catch(() => null)
      : null;
  return { usageBytes: estimate?.usage ?? null, quotaBytes: estimate?.quota ?? null, persisted };
}
