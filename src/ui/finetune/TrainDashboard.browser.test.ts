// The dashboard renders its uPlot charts and the progress/ETA line from streamed records (real Chromium DOM), and
// its charts take their container's width (one or two columns).
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { TrainRecord } from '../../shared/training.ts';
import { TrainDashboard } from './TrainDashboard.tsx';
import '../styles.css';

const records: TrainRecord[] = [1, 2, 3, 4].map((step) => ({
  type: 'step',
  epoch: step > 2 ? 1 : 0,
  step,
  loss: 2 / step,
  lr: 0.01 * step,
  gradNorm: 1 / step,
  trainTop1: step / 4,
  trainTop5: 1,
  clipsPerSec: 4,
  readMs: 5,
  forwardMs: 10,
  backwardMs: 20,
  optimizerMs: 1,
}));

describe('TrainDashboard', () => {
  it('draws the seven charts and the progress with ETA', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(createElement(TrainDashboard, { records, totalSteps: 10, clipsPerStep: 8 }));
      await Promise.resolve();
    });
    expect(el.querySelectorAll('.uplot')).toHaveLength(7);
    expect(el.querySelectorAll('canvas').length).toBeGreaterThanOrEqual(7);
    const trainAcc = el.querySelector('[data-testid="chart-train accuracy"]');
    expect(trainAcc?.getAttribute('data-points')).toBe('4');
    expect(trainAcc?.textContent).toContain('train top-1');
    expect(el.querySelector('[data-testid="chart-val accuracy"]')?.textContent).toContain(
      'train (mean) top-1',
    );
    // 6 steps left × 8 clips / 4 clips/s
    expect(el.querySelector('[role="progressbar"]')?.getAttribute('aria-label')).toBe(
      'step 4 / 10 · ETA 12 s',
    );
    await act(async () => {
      root.render(
        createElement(TrainDashboard, { records: records.slice(0, 2), totalSteps: 10, clipsPerStep: 8 }),
      );
      await Promise.resolve();
    });
    expect(el.querySelectorAll('.uplot')).toHaveLength(7);
    act(() => {
      root.unmount();
    });
    expect(el.querySelectorAll('.uplot')).toHaveLength(0);
  });

  it('sizes the charts to their cards: two columns when wide, one when narrow, resized in place', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const el = document.createElement('div');
    el.style.width = '1000px';
    document.body.append(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(createElement(TrainDashboard, { records, totalSteps: 10, clipsPerStep: 8 }));
      await Promise.resolve();
    });
    const charts = (): HTMLElement[] => [...el.querySelectorAll<HTMLElement>('.chart')];
    const widths = (): number[] => charts().map((c) => Number(c.dataset.width));
    // the chart takes the host's content width, floored to whole pixels
    const fitted = (): boolean =>
      charts().every((c) => Math.abs(Number(c.dataset.width) - c.getBoundingClientRect().width) < 1);
    const cardTop = (title: string): number =>
      el.querySelector(`[data-testid="chart-${title}"]`)?.closest('section')?.getBoundingClientRect().top ??
      -1;
    // every chart as wide as its host (the card body): two columns of about half the container
    await expect.poll(fitted).toBe(true);
    const wide = widths();
    expect(new Set(wide).size).toBe(1);
    expect(wide[0]).toBeGreaterThan(300);
    expect(wide[0]).toBeLessThan(500);
    expect(cardTop('loss')).toBe(cardTop('val accuracy')); // side by side
    const uplotWidth = el.querySelector<HTMLElement>('[data-testid="chart-loss"] .uplot')?.offsetWidth;
    expect(uplotWidth).toBe(wide[0]);

    el.style.width = '700px'; // one column: each chart wider than in two
    await expect.poll(() => widths()[0]).toBeGreaterThan(600);
    expect(cardTop('loss')).toBeLessThan(cardTop('val accuracy')); // stacked
    el.style.width = '420px';
    await expect.poll(() => widths()[0]).toBeLessThan(400);
    expect(fitted()).toBe(true);
    act(() => {
      root.unmount();
    });
    el.remove();
  });
});
