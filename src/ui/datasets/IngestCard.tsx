// Ingest of a scanned drop (main thread): short side and name, the Ingest button, progress with ETA, the
// file being read, and the per-file failure list.
import { useState } from 'react';
import { cancelIngest, ingestScanned } from '../../state/ingestActions.ts';
import { useStudio } from '../../state/store.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { FailureList } from './FailureList.tsx';

function eta(startedAt: number, done: number, total: number): string {
  if (done <= 0 || done >= total) return '';
  const seconds = (((Date.now() - startedAt) / done) * (total - done)) / 1000;
  return seconds < 90
    ? ` · about ${Math.ceil(seconds)} s left`
    : ` · about ${Math.ceil(seconds / 60)} min left`;
}

export function IngestCard({ disabled }: { disabled: boolean }) {
  const ingest = useStudio((s) => s.datasetIngest);
  const [shortSide, setShortSide] = useState(128);
  const [name, setName] = useState('');
  const running = ingest.jobId !== null;
  const settled = ingest.videosDone + ingest.failures.length;
  const r = ingest.result;
  return (
    <Card title="Ingest" testId="dataset-ingest" wide>
      <div className="row">
        <label className="field">
          <span>Short side (px)</span>
          <input
            type="number"
            min={16}
            max={1024}
            value={shortSide}
            disabled={running}
            data-testid="ingest-short-side"
            onChange={(e) => {
              setShortSide(Number(e.currentTarget.value));
            }}
          />
        </label>
        <label className="field">
          <span>Name</span>
          <input
            type="text"
            placeholder="the folder's name"
            value={name}
            disabled={running}
            data-testid="ingest-name"
            onChange={(e) => {
              setName(e.currentTarget.value);
            }}
          />
        </label>
        {running ? (
          <button type="button" className="button button--ghost" onClick={() => void cancelIngest()}>
            Stop
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={disabled}
            data-testid="ingest-start"
            onClick={() => void ingestScanned({ shortSide, name })}
          >
            Ingest
          </button>
        )}
      </div>
      {running ? (
        <>
          <ProgressBar
            done={settled}
            total={ingest.videosTotal}
            label={`${settled}/${ingest.videosTotal} videos · ${ingest.frames} frames · ${formatBytes(ingest.bytes)}${eta(ingest.startedAt, settled, ingest.videosTotal)}`}
          />
          <p className="muted" data-testid="ingest-current">
            {ingest.currentFile ? `Reading ${ingest.currentFile}` : ' '}
          </p>
        </>
      ) : null}
      {r ? (
        <p data-testid="ingest-result">
          {r.name}: {r.videosOk} videos stored ({r.videosSkipped} already there), {r.videosFailed} failed ·{' '}
          {r.frames} frames · {formatBytes(r.bytes)} · {r.framesPerSecond.toFixed(0)} frames/s this run
        </p>
      ) : null}
      <FailureList failures={ingest.failures} testId="ingest-failures" />
    </Card>
  );
}
