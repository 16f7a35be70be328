// Implements WorkerApi in the compute worker by delegating to gpu/, models/ and data/.
// Every method rethrows failures as plain SerializedError objects so codes survive postMessage.
import { serializeError, TubeletError } from '../shared/errors.ts';
import type {
  DoctorReport,
  InitResult,
  JobEvent,
  JobKind,
  JobResults,
  JobSpec,
  SystemEvent,
  WorkerApi,
} from '../shared/protocol.ts';
import { acquireGpu, loseGpuDevice, onGpuEvent } from '../gpu/device.ts';
import { gpuSync, initTf, tfBackendName, tfDevice, tfVersion, withFlags } from '../models/tf.ts';
import { runBench } from '../bench/harness.ts';
import { kernelBenchCases } from '../bench/cases.ts';
import { probeCodecs } from '../data/decode/codecSupport.ts';
import { storageInfo } from '../data/store/quota.ts';
import { cancelJob, runJob } from './jobs.ts';
import { runSelfTest } from './selftest.ts';
import { scanDataset } from './scanDataset.ts';
import { Autotuner, adapterKey } from '../gpu/autotune.ts';
import { installConv3dAutotuner } from '../models/ops/conv3dAutotune.ts';
import { createTuningStore } from '../data/store/tuningStore.ts';
import { ingestDataset } from './ingestDataset.ts';
import {
  deleteStoredDataset,
  listStoredDatasets,
  listStoredVideos,
  sampleStoredClip,
} from './storedDatasets.ts';
import { benchDecode } from './benchDecode.ts';
import { runTrainJob, trainResolvers } from './trainJob.ts';
import { registerTrainResolvers } from './trainResolvers.ts';
import { modelLayers, zooSummaries } from './models.ts';
import { importModel, listStoredModels } from './modelImport.ts';
import { predict } from './predict.ts';
import { exportModel } from './modelExportJob.ts';

registerTrainResolvers(); // the train job builds zoo models and reads stored datasets
import { createCheckpointStore } from '../data/store/checkpointStore.ts';
import { runToyActions } from './toyActions.ts';
import { listRunSummaries, pruneRun, runHistory } from './runs.ts';
import { modelCost, trainCatalog } from './trainCatalog.ts';
import { augmentPreview } from './augmentPreview.ts';
import { listEvals, runEvalJob } from './evalJob.ts';
import { explain } from './explainJob.ts';
import { runZeroShotJob } from './zeroshotJob.ts';

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // A plain object survives structured cloning with its code; the client turns it back into a TubeletError.
    throw serializeError(error);
  }
}

let tunedDevice: GPUDevice | null = null;

async function ready(): Promise<InitResult> {
  const gpu = await acquireGpu();
  await initTf(gpu.device, gpu.adapter.info);
  if (tunedDevice !== gpu.device) {
    // Conv3D tiles are timed per adapter on first use of a shape class; winners persist in IndexedDB.
    installConv3dAutotuner(new Autotuner(gpu.device, adapterKey(gpu.info), createTuningStore()), gpu.device);
    tunedDevice = gpu.device;
  }
  return {
    gpu: gpu.info,
    tf: { version: tfVersion(), backend: tfBackendName(), sharesDevice: tfDevice() === gpu.device },
  };
}

type JobRunner<K extends JobKind> = (
  jobId: string,
  spec: Extract<JobSpec, { kind: K }>,
  emit: (event: JobEvent) => void,
  transfer: WorkerPlumbing['transfer'],
) => Promise<JobResults[K]>;

/** One runner per job kind; a kind added to JobSpec does not compile until it is listed here. */
const JOB_RUNNERS: { [K in JobKind]: JobRunner<K> } = {
  selftest: async (jobId, spec, emit, transfer) => {
    const result = await runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return runSelfTest(await acquireGpu(), spec, job);
    });
    return transfer(result, [result.sample.buffer]);
  },
  'scan-dataset': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, (job) => scanDataset(spec, job)),
  'ingest-dataset': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, (job) => ingestDataset(spec, job, emit)),
  'list-datasets': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, () => listStoredDatasets()),
  'list-videos': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, () => listStoredVideos(spec.datasetId)),
  'delete-dataset': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, () => deleteStoredDataset(spec.id)),
  'sample-clip': async (jobId, spec, emit, transfer) => {
    const clip = await runJob(jobId, spec.kind, emit, () => sampleStoredClip(spec));
    return transfer(clip, [clip.frames.buffer]);
  },
  'bench-decode': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, (job) => benchDecode(spec, job)),
  train: (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      const resolvers = trainResolvers(); // fails with NOT_INITIALISED until the model zoo and datasets register
      await ready();
      const { lost } = await acquireGpu();
      return runTrainJob(spec, job, emit, { resolvers, store: createCheckpointStore(), lost });
    }),
  'train-catalog': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, () => Promise.resolve(trainCatalog())),
  'model-cost': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async () => {
      await ready();
      return modelCost(spec);
    }),
  'augment-preview': async (jobId, spec, emit, transfer) => {
    const preview = await runJob(jobId, spec.kind, emit, async () => {
      await ready();
      return augmentPreview(spec);
    });
    return transfer(preview, [preview.pixels.buffer]);
  },
  'list-runs': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, () => listRunSummaries(createCheckpointStore())),
  'run-history': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, () => runHistory(createCheckpointStore(), spec.run)),
  'prune-run': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, () => pruneRun(createCheckpointStore(), spec.run, spec.keep)),
  models: (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return zooSummaries((done, total, name) => {
        job.progress(name, done, total);
      });
    }),
  'import-model': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return importModel(spec, job);
    }),
  predict: (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return predict(spec, job);
    }),
  'export-model': async (jobId, spec, emit, transfer) => {
    const result = await runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return exportModel(spec, job);
    });
    return transfer(
      result,
      result.files.map((f) => f.bytes.buffer as ArrayBuffer),
    );
  },
  'list-stored-models': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, () => listStoredModels()),
  'model-layers': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async () => {
      await ready();
      return modelLayers(spec.model);
    }),
  eval: (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return runEvalJob(spec, job);
    }),
  'list-evals': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, () => listEvals()),
  explain: async (jobId, spec, emit, transfer) => {
    const result = await runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return explain(spec, job);
    });
    return transfer(result, [
      result.frames.buffer,
      result.map.buffer,
      result.headMaps.buffer,
    ] as ArrayBuffer[]);
  },
  zeroshot: (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      await ready();
      return runZeroShotJob(spec, job);
    }),
  'lose-device': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async () => ({ lost: (await loseGpuDevice()) !== false })),
  'toy-actions': (jobId, spec, emit) => runJob(jobId, spec.kind, emit, (job) => runToyActions(spec, job)),
  'bench-kernels': (jobId, spec, emit) =>
    runJob(jobId, spec.kind, emit, async (job) => {
      const { gpu } = await ready();
      const cases = kernelBenchCases({ hardware: !gpu.isFallbackAdapter, quick: spec.quick }).filter(
        (c) => spec.filter === undefined || c.op.includes(spec.filter),
      );
      // Small tensors must stay on the GPU while timing, or TF.js would run them on the CPU.
      const rows = await withFlags({ WEBGPU_CPU_FORWARD: false }, () =>
        runBench(cases, {
          warmup: 1,
          reps: spec.quick ? 2 : 5,
          sync: gpuSync,
          checkpoint: () => {
            job.checkpoint();
          },
          onCase: (index, total, label) => {
            job.progress(label, index, total);
          },
        }),
      );
      return { adapter: gpu, date: new Date().toISOString(), quick: spec.quick, rows };
    }),
};

function dispatchJob<S extends JobSpec>(
  jobId: string,
  spec: S,
  emit: (event: JobEvent) => void,
  transfer: WorkerPlumbing['transfer'],
): Promise<JobResults[S['kind']]> {
  const runner = (JOB_RUNNERS as Partial<Record<string, JobRunner<S['kind']>>>)[spec.kind];
  if (!runner) throw new TubeletError('INVALID_ARGUMENT', `Unknown job kind '${spec.kind}'.`);
  return runner(jobId, spec as unknown as Extract<JobSpec, { kind: S['kind'] }>, emit, transfer);
}

export interface WorkerPlumbing {
  /** Marks buffers inside a result to be transferred, not copied. */
  readonly transfer: <T>(value: T, transferables: Transferable[]) => T;
  /** Releases a callback proxied from the other thread once a job no longer needs it. */
  readonly release: (callback: unknown) => void;
}

export function createWorkerApi({ transfer, release }: WorkerPlumbing): WorkerApi {
  let systemListener: ((event: SystemEvent) => void) | null = null;
  onGpuEvent((event) => systemListener?.(event));

  return {
    init: () => guard(ready),

    doctor: () =>
      guard(async (): Promise<DoctorReport> => {
        const init = await ready();
        const [codecs, storage] = await Promise.all([probeCodecs(), storageInfo()]);
        return {
          ...init,
          userAgent: navigator.userAgent,
          codecs,
          storage,
          crossOriginIsolated: globalThis.crossOriginIsolated,
        };
      }),

    runJob: <S extends JobSpec>(jobId: string, spec: S, onEvent: (event: JobEvent) => void) =>
      guard(async (): Promise<JobResults[S['kind']]> => {
        try {
          return await dispatchJob(jobId, spec, onEvent, transfer);
        } finally {
          release(onEvent);
        }
      }),

    cancelJob: (jobId) => Promise.resolve(cancelJob(jobId)),

    onSystemEvent: (listener) => {
      systemListener = listener;
      return Promise.resolve();
    },
  };
}
