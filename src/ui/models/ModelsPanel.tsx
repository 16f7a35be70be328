// The Models panel (main thread): the zoo with parameters and FLOPs, weights import by drag-and-drop with its
// load report, imported models, a layer table, and exports as downloads (bundle, safetensors, TF.js).
import { useEffect } from 'react';
import { refreshStoredModels, refreshZoo } from '../../state/modelActions.ts';
import { studioStore, useStudio } from '../../state/store.ts';
import { ImportCard } from './ImportCard.tsx';
import { LayersTable } from './LayersTable.tsx';
import { LoadReport } from './LoadReport.tsx';
import { StoredModels } from './StoredModels.tsx';
import { ZooTable } from './ZooTable.tsx';

export function ModelsPanel() {
  const m = useStudio((s) => s.models);
  const ready = useStudio((s) => s.status === 'ready');
  useEffect(() => {
    if (!ready) return;
    void refreshStoredModels();
    if (studioStore.getState().models.zoo === null) void refreshZoo();
  }, [ready]);
  const busy = m.importJobId !== null || m.exporting !== null;
  return (
    <div className="panel" data-testid="panel-models">
      <h1>Models</h1>
      <h2>Zoo</h2>
      {m.zoo ? <ZooTable zoo={m.zoo} busy={busy} /> : <p className="muted">Counting parameters and FLOPs…</p>}
      <h2>Import weights</h2>
      <ImportCard zoo={m.zoo ?? []} busy={busy} />
      {m.importJobId !== null ? <p className="muted">Importing {m.importFile}…</p> : null}
      {m.importResult && m.importFile ? <LoadReport result={m.importResult} fileName={m.importFile} /> : null}
      <h2>Imported models</h2>
      {m.stored ? <StoredModels list={m.stored} busy={busy} /> : null}
      {m.exporting ? (
        <p className="muted" data-testid="exporting">
          Exporting {m.exporting.model} as {m.exporting.format}…
        </p>
      ) : null}
      {m.layersJobId !== null ? <p className="muted">Tracing the layers of {m.layersFor}…</p> : null}
      {m.layers && m.layersFor ? <LayersTable model={m.layersFor} rows={m.layers} /> : null}
    </div>
  );
}
