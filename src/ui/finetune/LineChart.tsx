// A small uPlot line chart (main thread): one x column, several y series; re-created when the series set changes,
// updated in place when only the data grows, and as wide as its container (a ResizeObserver resizes it).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
  /** Dash pattern in px (e.g. [4, 4]); solid when absent. */
  readonly dash?: readonly number[];
}

export interface LineChartProps {
  readonly title: string;
  readonly xLabel: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly logY?: boolean;
  readonly height?: number;
  /** Draw the title above the plot (off when the card's own title already names the chart). */
  readonly showTitle?: boolean;
}

/** Width before the container has been measured (and the narrowest a chart is drawn). */
export const FALLBACK_CHART_WIDTH = 420;
export const MIN_CHART_WIDTH = 160;

/** uPlot's Scale.Distr.Logarithmic (a const enum, which isolated modules cannot reference). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
const LOG_SCALE: uPlot.Scale = { distr: 3 };

function data(x: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [[...x], ...series.map((s) => [...s.values])];
}

/** The chart width for a container `px` wide. */
export function chartWidth(px: number): number {
  return px > 0 ? Math.max(MIN_CHART_WIDTH, Math.floor(px)) : FALLBACK_CHART_WIDTH;
}

export function LineChart({
  title,
  xLabel,
  x,
  series,
  logY = false,
  height = 200,
  showTitle = true,
}: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = `${title}|${series.map((s) => `${s.label}:${s.dash?.join('-') ?? ''}`).join(',')}|${logY}|${height}|${showTitle}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const options: uPlot.Options = {
      ...(showTitle ? { title } : {}),
      width: chartWidth(el.clientWidth),
      height,
      scales: { x: { time: false }, y: logY ? LOG_SCALE : {} },
      axes: [{ label: xLabel, stroke: '#9fb3c8' }, { stroke: '#9fb3c8' }],
      series: [
        { label: xLabel },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 1.5,
          spanGaps: true,
          ...(s.dash ? { dash: [...s.dash] } : {}),
        })),
      ],
    };
    const chart = new uPlot(options, data(x, series), el);
    plot.current = chart;
    el.dataset.width = String(chart.width);
    // resized in the next frame, not inside the observer callback: a resize there changes other observed charts'
    // layout in the same pass ("ResizeObserver loop completed with undelivered notifications")
    let frame = 0;
    const observer = new ResizeObserver((entries) => {
      const width = chartWidth(entries[entries.length - 1]?.contentRect.width ?? 0);
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (width === chart.width) return;
        chart.setSize({ width, height });
        el.dataset.width = String(width);
      });
    });
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // re-create only when the chart's shape changes; data updates go through setData below
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  useEffect(() => {
    plot.current?.setData(data(x, series));
  }, [x, series]);

  return <div ref={host} className="chart" data-testid={`chart-${title}`} data-points={x.length} />;
}
