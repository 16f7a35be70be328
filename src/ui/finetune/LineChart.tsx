// A small uPlot line chart (main thread): one x column, several y series; re-created when the series set changes,
// updated in place when only the data grows.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly color: string;
}

export interface LineChartProps {
  readonly title: string;
  readonly xLabel: string;
  readonly x: readonly number[];
  readonly series: readonly ChartSeries[];
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

/** uPlot's Scale.Distr.Logarithmic (a const enum, which isolated modules cannot reference). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
const LOG_SCALE: uPlot.Scale = { distr: 3 };

function data(x: readonly number[], series: readonly ChartSeries[]): uPlot.AlignedData {
  return [[...x], ...series.map((s) => [...s.values])];
}

export function LineChart({
  title,
  xLabel,
  x,
  series,
  logY = false,
  width = 420,
  height = 200,
}: LineChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = `${title}|${series.map((s) => s.label).join(',')}|${logY}|${width}|${height}`;

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const options: uPlot.Options = {
      title,
      width,
      height,
      scales: { x: { time: false }, y: logY ? LOG_SCALE : {} },
      axes: [{ label: xLabel, stroke: '#9fb3c8' }, { stroke: '#9fb3c8' }],
      series: [
        { label: xLabel },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true })),
      ],
    };
    plot.current = new uPlot(options, data(x, series), el);
    return () => {
      plot.current?.destroy();
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
