// The Finetune panel's live dashboard (main thread): progress with ETA, and charts of loss, val top-1/top-5,
// learning rate, gradient norm, clips/s and read/forward/backward time per step (SRTG-style speed monitor, so a
// data-loading bottleneck shows as read time). Fed with the `train-record` events of a train job.
import { useMemo } from 'react';
import type { TrainRecord } from '../../shared/training.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { epochColumns, etaSeconds, formatEta, stepColumns } from './dashboardData.ts';
import { LineChart } from './LineChart.tsx';

export interface TrainDashboardProps {
  readonly records: readonly TrainRecord[];
  readonly totalSteps: number;
  readonly clipsPerStep: number;
}

export function TrainDashboard({ records, totalSteps, clipsPerStep }: TrainDashboardProps) {
  const s = useMemo(() => stepColumns(records), [records]);
  const e = useMemo(() => epochColumns(records), [records]);
  const done = s.step[s.step.length - 1] ?? 0;
  const eta = formatEta(etaSeconds(records, totalSteps, clipsPerStep));
  return (
    <div className="grid" data-testid="train-dashboard">
      <Card title="Progress">
        <ProgressBar done={done} total={totalSteps} label={`step ${done} / ${totalSteps} · ETA ${eta}`} />
      </Card>
      <Card title="Loss">
        <LineChart
          title="loss"
          xLabel="step"
          x={s.step}
          series={[{ label: 'train loss', values: s.loss, color: '#f5a623' }]}
        />
      </Card>
      <Card title="Validation accuracy">
        <LineChart
          title="val accuracy"
          xLabel="epoch"
          x={e.epoch}
          series={[
            { label: 'top-1', values: e.valTop1, color: '#4fc3f7' },
            { label: 'top-5', values: e.valTop5, color: '#81c784' },
            { label: 'mean class', values: e.valMeanClass, color: '#ba68c8' },
          ]}
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
