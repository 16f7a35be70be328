// The `export-model` job (compute worker): a stored model or registry arch as a Tubelet bundle, safetensors in
// PyTorch layout, or TF.js model.json + weight shards.
import type { ExportModelResult, ExportModelSpec, ExportedFile } from '../shared/modelIo.ts';
import { TubeletError } from '../shared/errors.ts';
import { exportBundle, exportSafetensors } from '../export/modelExport.ts';
import { exportTfjs } from '../export/tfjsExport.ts';
import type { JobContext } from './jobs.ts';
import { openModel } from './modelImport.ts';

const fileStem = (name: string): string => name.replace(/[^\w.-]+/g, '_');

export async function exportModel(spec: ExportModelSpec, job: JobContext): Promise<ExportModelResult> {
  job.progress('load', 0, 2);
  const model = await openModel(spec.model);
  try {
    job.progress(spec.format, 1, 2);
    let files: ExportedFile[];
    switch (spec.format) {
      case 'safetensors':
        files = [{ name: `${fileStem(spec.model)}.safetensors`, bytes: await exportSafetensors(model) }];
        break;
      case 'bundle':
        files = [{ name: `${fileStem(spec.model)}.tubelet.zip`, bytes: await exportBundle(model) }];
        break;
      case 'tfjs':
        files = await exportTfjs(model);
        break;
      default:
        throw new TubeletError('INVALID_ARGUMENT', `unknown export format '${String(spec.format)}'`, {
          hint: 'use bundle, safetensors or tfjs',
        });
    }
    return { model: spec.model, format: spec.format, files };
  } finally {
    model.dispose();
  }
}
