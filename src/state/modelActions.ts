// Actions of the Models panel (main thread): list the zoo and imported models, import a dropped weights file,
// load a layer table, export a model and hand its files to the browser as downloads.
import type { ExportFormat, WeightSource } from '../shared/modelIo.ts';
import { studioStore } from './store.ts';
import type { ModelsSlice } from './modelsSlice.ts';
import { reportError, requireClient } from './actions.ts';

const setModels = (patch: Partial<ModelsSlice['models']>): void => {
  studioStore.setState((s) => ({ models: { ...s.models, ...patch } }));
};

export async function refreshZoo(): Promise<void> {
  if (studioStore.getState().models.zooJobId !== null) return;
  const job = requireClient().startJob({ kind: 'models' });
  setModels({ zooJobId: job.id });
  try {
    setModels({ zoo: [...(await job.result)] });
  } catch (error) {
    reportError(error);
  } finally {
    setModels({ zooJobId: null });
  }
}

export async function refreshStoredModels(): Promise<void> {
  try {
    setModels({ stored: [...(await requireClient().startJob({ kind: 'list-stored-models' }).result)] });
  } catch (error) {
    reportError(error);
  }
}

export interface ImportChoice {
  readonly arch: string;
  readonly from: WeightSource;
  readonly name: string;
}

/** Imports `file` into `choice.arch`, stores it as `choice.name`, and shows its load report. */
export async function importWeightsFile(file: File, choice: ImportChoice): Promise<void> {
  const job = requireClient().startJob({
    kind: 'import-model',
    file,
    fileName: file.name,
    arch: choice.arch,
    from: choice.from,
    name: choice.name,
  });
  setModels({ importJobId: job.id, importFile: file.name, importResult: null });
  try {
    setModels({ importResult: await job.result });
    await refreshStoredModels();
  } catch (error) {
    reportError(error);
  } finally {
    setModels({ importJobId: null });
  }
}

export async function showLayers(model: string): Promise<void> {
  const job = requireClient().startJob({ kind: 'model-layers', model });
  setModels({ layersFor: model, layers: null, layersJobId: job.id });
  try {
    setModels({ layers: [...(await job.result)] });
  } catch (error) {
    reportError(error);
  } finally {
    setModels({ layersJobId: null });
  }
}

/** Exports `model` and starts one download per file (model.json and its shards for tfjs). */
export async function downloadExport(model: string, format: ExportFormat): Promise<void> {
  setModels({ exporting: { model, format } });
  try {
    const { files } = await requireClient().startJob({ kind: 'export-model', model, format }).result;
    for (const f of files) {
      const url = URL.createObjectURL(new Blob([f.bytes as Uint8Array<ArrayBuffer>]));
      const a = document.createElement('a');
      a.href = url;
      a.download = f.name;
      a.click();
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 60_000);
    }
  } catch (error) {
    reportError(error);
  } finally {
    setModels({ exporting: null });
  }
}
