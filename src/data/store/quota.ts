// Storage usage and quota of this origin (compute worker or page). Persisting is requested by the page.
import type { StorageInfo } from '../../shared/protocol.ts';

export async function storageInfo(): Promise<StorageInfo> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  if (!storage) return { usageBytes: null, quotaBytes: null, persisted: null };
  const [estimate, persisted] = await Promise.all([
    storage.estimate().catch((): StorageEstimate => ({})),
    typeof storage.persisted === 'function' ? storage.persisted().catch(() => null) : Promise.resolve(null),
  ]);
  return { usageBytes: estimate.usage ?? null, quotaBytes: estimate.quota ?? null, persisted };
}
