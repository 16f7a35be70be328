// The model zoo table (main thread): every registry model with parameters, multiply-adds at its reference input,
// and a button to inspect its layers.
import type { ModelSummary } from '../../shared/protocol.ts';
import { ModelActions } from './StoredModels.tsx';

export function ZooTable({ zoo, busy }: { zoo: readonly ModelSummary[]; busy: boolean }) {
  return (
    <table className="table" data-testid="zoo-table">
      <thead>
        <tr>
          <th>Model</th>
          <th>Family</th>
          <th className="num">Parameters</th>
          <th className="num">GFLOPs (MACs)</th>
          <th>Input T×H×W</th>
          <th className="num">Classes</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {zoo.map((m) => (
          <tr key={m.name} data-testid={`zoo-${m.name}`} title={m.description}>
            <td>{m.name}</td>
            <td>{m.family}</td>
            <td className="num" data-testid="zoo-params">
              {m.params.toLocaleString('en-US')}
            </td>
            <td className="num">{(m.macs / 1e9).toFixed(2)}</td>
            <td>{m.input.slice(1, 4).join('×')}</td>
            <td className="num">{m.numClasses}</td>
            <td>
              <ModelActions model={m.name} busy={busy} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
