// Asks the browser to keep this origin's storage (main thread only: StorageManager.persist is Window-only).

export async function requestPersistentStorage(): Promise<boolean> {
  if (typeof navigator.storage.persist !== 'function') return false;
  return navigator.storage.persist();
}
