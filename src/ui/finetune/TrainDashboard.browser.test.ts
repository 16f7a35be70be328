// The dashboard renders its uPlot charts and the progress/ETA line from streamed records (real Chromium DOM).
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { TrainRecord } from '../../shared/training.ts';
import { TrainDashboard } from './TrainDashboard.tsx';

const records: TrainRecord[] = [1, 2, 3, 4].map((step) => ({
  type: 'step',
  epoch: step > 2 ? 1 : 0,
  step,
  loss: 2 / step,
  lr: 0.01 * step,
  gradNorm: 1 / step,
  clipsPerSec: 4,
  readMs: 5,
  forwardMs: 10,
  backwardMs: 20,
  optimizerMs: 1,
}));

describe('TrainDashboard', () => {
  it('draws the six charts and the progress with ETA', async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    const el = document.createElement('div');
    document.body.append(el);
    const root = createRoot(el);
    await act(async () => {
      root.render(createElement(TrainDashboard, { records, totalSteps: 10, clipsPerStep: 8 }));
      await Promise.resolve();
    });
    expect(el.querySelectorAll('.uplot')).toHaveLength(6);
    expect(el.querySelectorAll('canvas').length).toBeGreaterThanOrEqual(6);
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
    expect(el.querySelectorAll('.uplot')).toHaveLength(6);
    act(() => {
      root.unmount();
    });
    expect(el.querySelectorAll('.uplot')).toHaveLength(0);
  });
});
