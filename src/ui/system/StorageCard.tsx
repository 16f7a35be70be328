// Storage usage against quota, and the "persist storage" request (main thread).
import { persistStorage } from '../../state/actions.ts';
import type { StorageInfo } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';

export function StorageCard({
  storage,
  onPersist = persistStorage,
}: {
  storage: StorageInfo;
  /** What the "Persist storage" button runs (default: request it and refresh the System panel). */
  onPersist?: () => Promise<void>;
}) {
  const { usageBytes, quotaBytes, persisted } = storage;
  const fraction = usageBytes !== null && quotaBytes ? usageBytes / quotaBytes : 0;
  return (
    <Card
      title="Storage"
      testId="storage-card"
      actions={
        <button
          type="button"
          className="button"
          disabled={persisted === true}
          onClick={() => {
            void onPersist();
          }}
        >
          {persisted ? 'Storage is persistent' : 'Persist storage'}
        </button>
      }
    >
      <div
        className="meter"
        role="meter"
        aria-label="Storage used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(100, fraction * 100) * 100) / 100}
      >
        <div className="meter__fill" style={{ width: `${Math.min(100, fraction * 100)}%` }} />
      </div>
      <p data-testid="storage-usage">
        {formatBytes(usageBytes)} used of {formatBytes(quotaBytes)} ({(fraction * 100).toFixed(2)}%)
      </p>
      <p className="muted">
        Persistent:{' '}
        {persisted === null
          ? 'unknown'
          : persisted
            ? 'yes'
            : 'no — the browser may evict datasets under pressure'}
      </p>
    </Card>
  );
}
