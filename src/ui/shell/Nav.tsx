// Navigation between the studio's panels (main thread).
import { navigate } from '../../state/actions.ts';
import { PANELS, useStudio, type PanelId } from '../../state/store.ts';

export const PANEL_TITLES: Record<PanelId, string> = {
  start: 'Start',
  datasets: 'Datasets',
  models: 'Models',
  pretrain: 'Pretrain',
  finetune: 'Finetune',
  evaluate: 'Evaluate',
  visualise: 'Visualise',
  system: 'System',
};

const ICONS: Record<PanelId, string> = {
  start: '▸',
  datasets: '▤',
  models: '◇',
  pretrain: '◌',
  finetune: '◎',
  evaluate: '▥',
  visualise: '◉',
  system: '⚙',
};

export function Nav() {
  const current = useStudio((s) => s.panel);
  return (
    <nav className="nav" aria-label="Studio sections">
      {PANELS.map((panel) => (
        <button
          key={panel}
          type="button"
          className={`nav__item${panel === current ? ' nav__item--active' : ''}`}
          aria-current={panel === current ? 'page' : undefined}
          onClick={() => {
            navigate(panel);
          }}
        >
          <span className="nav__icon" aria-hidden="true">
            {ICONS[panel]}
          </span>
          {PANEL_TITLES[panel]}
        </button>
      ))}
    </nav>
  );
}
