// The error center shows only the newest errors (a burst cannot cover the page) and dismisses the rest at once.
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../state/actions.ts';
import { studioStore } from '../../state/store.ts';
import { ErrorCenter, SHOWN_ERRORS } from './ErrorCenter.tsx';

describe('ErrorCenter', () => {
  it('shows the newest three of a burst, counts the rest, and dismisses all', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(createElement(ErrorCenter));
      for (let i = 1; i <= 7; i++) reportError({ code: 'GPU_VALIDATION', message: `error ${i}` });
      await Promise.resolve();
    });
    const items = [...el.querySelectorAll('.errors__item')].map((e) => e.textContent);
    expect(items).toHaveLength(SHOWN_ERRORS);
    expect(items.map((t) => /error (\d)/.exec(t)?.[1])).toEqual(['5', '6', '7']);
    expect(el.querySelector('[data-testid="error-center-more"]')?.textContent).toContain('4 earlier errors');
    const all = [...el.querySelectorAll('button')].find((b) => b.textContent === 'Dismiss all');
    await act(async () => {
      all?.click();
      await Promise.resolve();
    });
    expect(studioStore.getState().errors).toEqual([]);
    expect(el.querySelector('[data-testid="error-center"]')).toBeNull();
    act(() => {
      root.unmount();
    });
    el.remove();
  });
});
