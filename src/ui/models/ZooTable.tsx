// The model zoo table (main thread): every registry model with parameters, multiply-adds at its reference input,
// and actions to inspect its layers or download it; filtered by family and a name/description search.
import { useState } from 'react';
import type { ModelSummary } from '../../shared/protocol.ts';
import { ModelActions } from './StoredModels.tsx';

/** The zoo rows whose family is `family` ('' for all) and whose name, family or description contain `query`. */
export function filterZoo(zoo: readonly ModelSummary[], family: string, query: string): ModelSummary[] {
  const q = query.trim().toLowerCase();
  return zoo.filter(
    (m) =>
      (family === '' || m.family === family) &&
      (q === '' || `${m.name} ${m.family} ${m.description}`.toLowerCase().includes(q)),
  );
}

export function ZooTable({ zoo, busy }: { zoo: readonly ModelSummary[]; busy: boolean }) {
  const [family, setFamily] = useState('');
  const [query, setQuery] = useState('');
  const families = [...new Set(zoo.map((m) => m.family))];
  const shown = filterZoo(zoo, family, query);
  return (
    <>
      <div className="row zoo-filters">
        <label className="zoo-filter">
          <span className="muted">Family</span>
          <select
            data-testid="zoo-family"
            value={family}
            onChange={(e) => {
              setFamily(e.target.value);
            }}
          >
            <option value="">All families ({zoo.length})</option>
            {families.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label className="zoo-filter">
          <span className="muted">Search</span>
          <input
            type="search"
            data-testid="zoo-search"
            placeholder="name or description"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
            }}
          />
        </label>
        <span className="muted" data-testid="zoo-count">
          {shown.length} of {zoo.length} models
        </span>
      </div>
      <table className="table" data-testid="zoo-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Family</th>
            <th className="num">Parameters</th>
            <th className="num">GFLOPs (MACs)</th>
            <th>Input T×H×W</th>
            <th className="num">Classes</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((m) => (
            <tr key={m.name} data-testid={`zoo-${m.name}`} title={m.description}>
              <td>{m.name}</td>
              <td>{m.family}</td>
              <td className="num" data-testid="zoo-params">
                {m.params.toLocaleString('en-US')}
              </td>
              <td className="num">{(m.macs / 1e9).toFixed(2)}</td>
              <td>{m.input.slice(1, 4).join('×')}</td>
              <td className="num">{m.numClasses}</td>
              <td className="actions">
                <ModelActions model={m.name} busy={busy} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
