// Imported models (main thread): what each was read from, its size, and layer / export actions.
import type { ExportFormat, StoredModelSummary } from '../../shared/modelIo.ts';
import { EXPORT_FORMATS } from '../../shared/modelIo.ts';
import { downloadExport, showLayers } from '../../state/modelActions.ts';
import { formatBytes } from '../common/format.ts';

const LABELS: Record<ExportFormat, string> = { bundle: 'Bundle', safetensors: 'safetensors', tfjs: 'TF.js' };

/** Layers, then one export button per format, for a stored model or a zoo arch. */
export function ModelActions({ model, busy }: { model: string; busy: boolean }) {
  return (
    <>
      <button type="button" className="button button--ghost" onClick={() => void showLayers(model)}>
        Layers
      </button>
      {EXPORT_FORMATS.map((f) => (
        <button
          key={f}
          type="button"
          className="button button--ghost"
          disabled={busy}
          data-testid={`export-${f}`}
          onClick={() => void downloadExport(model, f)}
        >
          {LABELS[f]}
        </button>
      ))}
    </>
  );
}

export function StoredModels({ list, busy }: { list: readonly StoredModelSummary[]; busy: boolean }) {
  if (list.length === 0) return <p className="muted">No imported models yet.</p>;
  return (
    <table className="table" data-testid="stored-models">
      <thead>
        <tr>
          <th>Name</th>
          <th>Architecture</th>
          <th className="num">Classes</th>
          <th className="num">Parameters</th>
          <th>From</th>
          <th className="num">Size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {list.map((m) => (
          <tr key={m.name} data-testid={`stored-model-${m.name}`}>
            <td>{m.name}</td>
            <td>{m.arch}</td>
            <td className="num">{m.numClasses}</td>
            <td className="num">{m.params.toLocaleString('en-US')}</td>
            <td>
              {m.fileName} ({m.source})
            </td>
            <td className="num">{formatBytes(m.bytes)}</td>
            <td>
              <ModelActions model={m.name} busy={busy} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
