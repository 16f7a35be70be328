// Estimated memory and time per epoch for the draft (main thread): the model's cost comes from the worker
// (symbolic, nothing runs), clips/s from the run shown or a stored run of the same shape, named as such.
import { useEffect, useState } from 'react';
import { modelCost } from '../../state/finetuneActions.ts';
import type { ModelCost, StoredDatasetSummary } from '../../shared/protocol.ts';
import { throughputKey, type TrainConfig } from '../../shared/trainConfig.ts';
import type { StepRecord, StoredRunSummary, TrainRecord } from '../../shared/training.ts';
import { Card } from '../common/Card.tsx';
import { formatBytes } from '../common/format.ts';
import { formatEta } from './dashboardData.ts';
import { epochTime, memoryEstimate, type EpochTime, type ThroughputSource } from './estimate.ts';

export interface EstimateCardProps {
  readonly draft: TrainConfig;
  readonly valid: boolean;
  readonly dataset: StoredDatasetSummary | undefined;
  readonly records: readonly TrainRecord[];
  readonly shownKey: string | null;
  readonly shownRun: string | null;
  readonly runs: readonly StoredRunSummary[];
}

function throughput(props: EstimateCardProps): { clipsPerSec: number | null; source: ThroughputSource } {
  const key = throughputKey(props.draft);
  const steps = props.records
    .filter((r): r is StepRecord => r.type === 'step' && r.clipsPerSec > 0)
    .slice(-20);
  if (props.shownKey === key && steps.length > 0) {
    const mean = steps.reduce((a, s) => a + s.clipsPerSec, 0) / steps.length;
    return { clipsPerSec: mean, source: { kind: 'measured', run: props.shownRun } };
  }
  const stored = props.runs.find((r) => r.throughputKey === key && r.clipsPerSec !== null);
  if (stored?.clipsPerSec != null)
    return { clipsPerSec: stored.clipsPerSec, source: { kind: 'stored', run: stored.run } };
  return { clipsPerSec: null, source: { kind: 'none' } };
}

function sourceText(t: EpochTime): string {
  const rate = t.clipsPerSec === null ? '' : `${t.clipsPerSec.toFixed(2)} clips/s `;
  switch (t.source.kind) {
    case 'measured':
      return `${rate}measured by the run shown${t.source.run ? ` (${t.source.run})` : ''}`;
    case 'stored':
      return `${rate}stored with run ${t.source.run} (same model, clip, crop and batch)`;
    case 'none':
      return 'no clips/s measured yet for this model, clip, crop and batch: train a few steps';
  }
}

export function EstimateCard(props: EstimateCardProps) {
  const { draft, valid, dataset } = props;
  const classes = dataset?.classes.length ?? 0;
  const clip: [number, number, number] = [
    draft.data.clipLen * draft.data.numClips,
    draft.data.cropSize,
    draft.data.cropSize,
  ];
  const costKey = `${draft.model}|${classes}|${clip.join('x')}`;
  const [cost, setCost] = useState<{ key: string; cost: ModelCost | null; error: string | null } | null>(
    null,
  );
  useEffect(() => {
    if (!valid || classes === 0) return undefined;
    let live = true;
    modelCost(draft.model, classes, clip).then(
      (c) => {
        if (live) setCost({ key: costKey, cost: c, error: null });
      },
      (e: unknown) => {
        if (live) setCost({ key: costKey, cost: null, error: e instanceof Error ? e.message : String(e) });
      },
    );
    return () => {
      live = false;
    };
    // the clip tuple is summarised by costKey
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [costKey, valid]);
  const current = cost?.key === costKey ? cost : null;
  const memory = current?.cost && valid ? memoryEstimate(draft, current.cost) : null;
  const trainClips = dataset?.perSplit.train1 ?? 0;
  const { clipsPerSec, source } = throughput(props);
  const time = valid ? epochTime(draft, trainClips, clipsPerSec, source) : null;
  return (
    <Card title="Estimates" testId="finetune-estimates">
      {!valid || classes === 0 ? (
        <p className="muted small">Choose a stored dataset and a valid config to see estimates.</p>
      ) : (
        <dl className="kv">
          <div className="kv__row">
            <dt>model</dt>
            <dd data-testid="estimate-model">
              {current?.cost
                ? `${(current.cost.params / 1e6).toFixed(2)} M params · ${(current.cost.macs / 1e9).toFixed(2)} GMACs per ${clip.join('×')} clip`
                : (current?.error ?? 'measuring…')}
            </dd>
          </div>
          <div className="kv__row">
            <dt>GPU memory</dt>
            <dd data-testid="estimate-memory">
              {memory
                ? `≈ ${formatBytes(memory.total)}: activations ${formatBytes(memory.activations)} (batch ${draft.batchSize}), weights ${formatBytes(memory.weights)}, gradients ${formatBytes(memory.gradients)}, optimizer ${formatBytes(memory.optimizer)}`
                : '—'}
            </dd>
          </div>
          <div className="kv__row">
            <dt>time per epoch</dt>
            <dd data-testid="estimate-time" data-source={time?.source.kind}>
              {time
                ? `${time.seconds === null ? '—' : `≈ ${formatEta(time.seconds)}`} for ${time.steps} steps (${trainClips} train clips; validation not included) · ${sourceText(time)}`
                : '—'}
            </dd>
          </div>
        </dl>
      )}
    </Card>
  );
}
