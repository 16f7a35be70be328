// Navigation between the studio's panels (main thread). Buttons in tab order; ↑/↓ (and Home/End) move the focus
// along the list, as in a menu, so a keyboard user reaches any panel in a few keys.
import type { KeyboardEvent } from 'react';
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

/** Moves the focus to the previous/next/first/last nav button on ↑/↓/Home/End. */
function moveFocus(event: KeyboardEvent<HTMLElement>): void {
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('button'));
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const last = buttons.length - 1;
  const next =
    event.key === 'ArrowDown'
      ? Math.min(at + 1, last)
      : event.key === 'ArrowUp'
        ? Math.max(at - 1, 0)
        : event.key === 'Home'
          ? 0
          : event.key === 'End'
            ? last
            : -1;
  if (next < 0 || at < 0) return;
  event.preventDefault();
  buttons[next]?.focus();
}

export function Nav() {
  const current = useStudio((s) => s.panel);
  return (
    <nav className="nav" aria-label="Studio sections" onKeyDown={moveFocus}>
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
