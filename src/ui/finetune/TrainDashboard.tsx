// The Finetune panel's live dashboard (main thread): progress with ETA, and charts of loss, train and val
// top-1/top-5 (train per step, and its epoch mean dashed beside validation), learning rate, gradient norm,
// clips/s and read/forward/backward time per step (SRTG-style speed monitor, so a data-loading bottleneck shows
// as read time). Fed with the `train-record` events of a train job.
import { useMemo } from 'react';
import type { TrainRecord } from '../../shared/training.ts';
import type { TrainStatus } from '../../state/finetuneSlice.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { epochColumns, etaSeconds, formatEta, stepColumns } from './dashboardData.ts';
import { LineChart, type ChartSeries } from './LineChart.tsx';

type Column = readonly (number | null)[];

/** Top-1 and top-5 series of one kind of accuracy, in the colours every accuracy chart uses. */
function topK(prefix: string, top1: Column, top5: Column, dash?: readonly number[]): ChartSeries[] {
  const style = dash ? { dash } : {};
  return [
    { label: `${prefix} top-1`, values: top1, color: '#4fc3f7', ...style },
    { label: `${prefix} top-5`, values: top5, color: '#81c784', ...style },
  ];
}

export interface TrainDashboardProps {
  readonly records: readonly TrainRecord[];
  readonly totalSteps: number;
  readonly clipsPerStep: number;
  /** The train job's status: before a run's first record only a compact "no data yet" card shows. */
  readonly status?: TrainStatus;
}

export function TrainDashboard({
  records,
  totalSteps,
  clipsPerStep,
  status = 'running',
}: TrainDashboardProps) {
  const s = useMemo(() => stepColumns(records), [records]);
  const e = useMemo(() => epochColumns(records), [records]);
  const done = s.step[s.step.length - 1] ?? 0;
  const eta = formatEta(etaSeconds(records, totalSteps, clipsPerStep));
  if (records.length === 0) {
    const starting = status === 'starting' || status === 'running';
    return (
      <div className="grid dashboard-grid" data-testid="train-dashboard" data-state="empty">
        <Card title="Training charts" wide testId="dashboard-empty">
          {starting ? (
            <ProgressBar done={0} total={totalSteps} label="Starting the run…" />
          ) : (
            <p className="muted">
              No data yet. Loss, accuracy, learning rate, gradient norm and speed charts appear here once a
              run starts.
            </p>
          )}
        </Card>
      </div>
    );
  }
  return (
    <div className="grid dashboard-grid" data-testid="train-dashboard">
      <Card title="Progress" wide>
        <ProgressBar
          done={done}
          total={totalSteps}
          label={
            status === 'running' || status === 'starting'
              ? `step ${done} / ${totalSteps} · ETA ${eta}`
              : `step ${done} / ${totalSteps} · ${status}`
          }
        />
      </Card>
      <Card title="Loss">
        <LineChart
          title="loss"
          showTitle={false}
          xLabel="step"
          x={s.step}
          series={[{ label: 'train loss', values: s.loss, color: '#f5a623' }]}
        />
      </Card>
      <Card title="Accuracy">
        <LineChart
          title="val accuracy"
          xLabel="epoch"
          x={e.epoch}
          series={[
            ...topK('val', e.valTop1, e.valTop5),
            { label: 'val mean class', values: e.valMeanClass, color: '#ba68c8' },
            ...topK('train (mean)', e.trainTop1, e.trainTop5, [5, 4]),
          ]}
        />
        <LineChart
          title="train accuracy"
          xLabel="step"
          x={s.step}
          series={topK('train', s.trainTop1, s.trainTop5)}
        />
      </Card>
      <Card title="Learning rate and gradient norm">
        <LineChart
          title="lr"
          xLabel="step"
          x={s.step}
          series={[{ label: 'lr', values: s.lr, color: '#e57373' }]}
        />
        <LineChart
          title="grad norm"
          xLabel="step"
          x={s.step}
          logY
          series={[{ label: 'grad norm', values: s.gradNorm, color: '#ffd54f' }]}
        />
      </Card>
      <Card title="Speed">
        <LineChart
          title="clips/s"
          xLabel="step"
          x={s.step}
          series={[{ label: 'clips/s', values: s.clipsPerSec, color: '#4db6ac' }]}
        />
        <LineChart
          title="ms per step"
          xLabel="step"
          x={s.step}
          series={[
            { label: 'read', values: s.readMs, color: '#90a4ae' },
            { label: 'forward', values: s.forwardMs, color: '#64b5f6' },
            { label: 'backward', values: s.backwardMs, color: '#f06292' },
          ]}
        />
      </Card>
    </div>
  );
}
