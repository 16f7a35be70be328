// One model's layers (main thread): name, kind, output shape for one clip of its reference input, parameters.
import { useEffect, useRef } from 'react';
import type { LayerRow } from '../../shared/modelIo.ts';
import { Card } from '../common/Card.tsx';

export function LayersTable({ model, rows }: { model: string; rows: readonly LayerRow[] }) {
  const total = rows.reduce((n, r) => n + r.params, 0);
  const anchor = useRef<HTMLDivElement>(null);
  // the table opens below the zoo and imported models: bring it into view when it (re)appears
  useEffect(() => {
    anchor.current?.scrollIntoView({ block: 'start' });
  }, [model]);
  return (
    <div ref={anchor}>
      <Card title={`Layers of ${model}`} testId="layers" wide>
        <p className="muted">
          {rows.length} layers, {total.toLocaleString('en-US')} parameters; output shapes are [N, T, H, W, C].
        </p>
        <table className="table" data-testid="layers-table">
          <thead>
            <tr>
              <th>Layer</th>
              <th>Kind</th>
              <th>Output</th>
              <th className="num">Parameters</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td>
                  <code>{r.name}</code>
                </td>
                <td>{r.kind}</td>
                <td>[{r.outputShape.join(', ')}]</td>
                <td className="num">{r.params.toLocaleString('en-US')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
