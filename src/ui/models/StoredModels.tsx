// Imported models (main thread): what each was read from, its size, and layer / export actions.
import type { ExportFormat, StoredModelSummary } from '../../shared/modelIo.ts';
import { EXPORT_FORMATS } from '../../shared/modelIo.ts';
import { downloadExport, showLayers } from '../../state/modelActions.ts';
import { formatBytes } from '../common/format.ts';

const LABELS: Record<ExportFormat, string> = { bundle: 'Bundle', safetensors: 'safetensors', tfjs: 'TF.js' };
const TIPS: Record<ExportFormat, string> = {
  bundle: 'a Tubelet bundle (config, classes and weights in one file)',
  safetensors: 'safetensors weights (PyTorch key names)',
  tfjs: 'a TF.js model (model.json and weight shards)',
};

/** Layers, then one export button per format, for a stored model or a zoo arch. */
export function ModelActions({ model, busy }: { model: string; busy: boolean }) {
  return (
    <>
      <button
        type="button"
        className="button button--ghost button--small"
        title={`Show the layers of ${model}: kind, output shape and parameters`}
        onClick={() => void showLayers(model)}
      >
        <span aria-hidden="true">☰ </span>Layers
      </button>
      {EXPORT_FORMATS.map((f) => (
        <button
          key={f}
          type="button"
          className="button button--ghost button--small"
          disabled={busy}
          data-testid={`export-${f}`}
          title={`Download ${model} as ${TIPS[f]}`}
          aria-label={`Download ${LABELS[f]}`}
          onClick={() => void downloadExport(model, f)}
        >
          <span aria-hidden="true">⤓ </span>
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
          <th>Actions</th>
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
