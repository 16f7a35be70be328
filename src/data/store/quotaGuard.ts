// Refuses writes that the origin's storage quota cannot hold (compute worker), before anything is written.
import { TubeletError } from '../../shared/errors.ts';

export type StorageEstimator = () => Promise<StorageEstimate>;

/** Headroom on top of the payload: IndexedDB's own overhead plus room for the rest of the studio. */
export const QUOTA_SLACK_BYTES = 16 << 20;
export const QUOTA_OVERHEAD = 1.05;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

function defaultEstimator(): StorageEstimator | undefined {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage;
  return typeof storage?.estimate === 'function' ? () => storage.estimate() : undefined;
}

/**
 * Throws QUOTA_EXCEEDED when fewer bytes are left in the quota than `neededBytes` (plus overhead and slack).
 * Does nothing when the browser cannot estimate its storage. Returns the bytes left before the write.
 */
export async function ensureQuota(
  neededBytes: number,
  what: string,
  estimate: StorageEstimator | undefined = defaultEstimator(),
): Promise<number | null> {
  if (!estimate) return null;
  const { usage, quota } = await estimate();
  if (quota === undefined) return null;
  const left = Math.max(0, quota - (usage ?? 0));
  const wanted = neededBytes * QUOTA_OVERHEAD + QUOTA_SLACK_BYTES;
  if (left < wanted) {
    throw new TubeletError(
      'QUOTA_EXCEEDED',
      `Storing ${what} needs about ${mb(wanted)}, but only ${mb(left)} of this browser's storage quota is left.`,
      {
        hint: 'Delete datasets you no longer need, store smaller frames (short side) or fewer frames per second, or free disk space.',
        details: `needed=${Math.round(wanted)} left=${left} usage=${usage ?? 'unknown'} quota=${quota}`,
      },
    );
  }
  return left;
}

/** True for the DOMException a browser throws when a write exceeds the quota. */
export function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'QuotaExceededError';
}
