// Panels that later work fills: each says plainly what it will hold (main thread).
import type { PanelId } from '../../state/store.ts';
import { PANEL_TITLES } from '../shell/Nav.tsx';

type Planned = Exclude<PanelId, 'start' | 'system' | 'datasets' | 'models' | 'finetune' | 'evaluate'>;

const PLANS: Record<Planned, { summary: string; items: string[] }> = {
  pretrain: {
    summary: 'Self-supervised pretraining on your unlabelled videos.',
    items: ['BYOL with the fine-grained key-value memory predictor', 'MaskFeat with HOG targets', 'VideoMAE'],
  },
  visualise: {
    summary: 'Look inside the models.',
    items: [
      'Attention maps of video transformers',
      'HOG targets and MaskFeat predictions',
      'Augmented clip previews',
    ],
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
