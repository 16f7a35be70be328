// Panels that later work fills: each says plainly what it will hold (main thread).
import type { PanelId } from '../../state/store.ts';
import { PANEL_TITLES } from '../shell/Nav.tsx';

type Planned = Exclude<
  PanelId,
  'start' | 'system' | 'datasets' | 'models' | 'finetune' | 'evaluate' | 'visualise'
>;

const PLANS: Record<Planned, { summary: string; items: string[] }> = {
  pretrain: {
    summary: 'Self-supervised pretraining on your unlabelled videos.',
    items: ['BYOL with the fine-grained key-value memory predictor', 'MaskFeat with HOG targets', 'VideoMAE'],
  },
};

export function PlannedPanel({ panel }: { panel: Planned }) {
  const plan = PLANS[panel];
  return (
    <div className="panel" data-testid={`panel-${panel}`}>
      <h1>{PANEL_TITLES[panel]}</h1>
      <p className="lead">{plan.summary}</p>
      <div className="card planned">
        <p className="muted">This panel is being built. It will hold:</p>
        <ul>
          {plan.items.map((item) => (
            <li key={item}>{item}</li>
          ))}
        </ul>
      </div>
    </div>
  );
}
