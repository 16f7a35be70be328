// The Models panel's slice of the store (main thread): the zoo with counts, imported models, the last import's
// load report, one model's layer table and the running jobs. Serialisable state only.
import type { ModelSummary } from '../shared/protocol.ts';
import type { ExportFormat, ImportModelResult, LayerRow, StoredModelSummary } from '../shared/modelIo.ts';

export interface ModelsSlice {
  models: {
    /** The zoo; null until first listed. */
    zoo: ModelSummary[] | null;
    zooJobId: string | null;
    stored: StoredModelSummary[] | null;
    importJobId: string | null;
    /** The file the running or last import read. */
    importFile: string | null;
    importResult: ImportModelResult | null;
    layersFor: string | null;
    layers: LayerRow[] | null;
    layersJobId: string | null;
    /** The export running, if any: model and format. */
    exporting: { readonly model: string; readonly format: ExportFormat } | null;
  };
}

export const createModelsSlice = (): ModelsSlice => ({
  models: {
    zoo: null,
    zooJobId: null,
    stored: null,
    importJobId: null,
    importFile: null,
    importResult: null,
    layersFor: null,
    layers: null,
    layersJobId: null,
    exporting: null,
  },
});
