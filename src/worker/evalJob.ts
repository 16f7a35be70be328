// The `eval` job (compute worker): scores every labelled video of a stored dataset's split with a model under a
// multi-view protocol (src/eval/), storing each video's scores as it finishes so a killed page resumes there,
// then computes the metrics. Also lists stored evaluations.
import { TubeletError } from '../shared/errors.ts';
import type { EvalResult, EvalSpec, EvalVideoResult, StoredEvalSummary } from '../shared/protocol.ts';
import { datasetStore } from '../data/store/datasets.ts';
import { frameStore } from '../data/store/frames.ts';
import { evalStore, type EvalRecord, type EvalStore } from '../data/store/evalStore.ts';
import { zooEntry } from '../models/zoo/registry.ts';
import { MMACTION_MEAN, MMACTION_STD } from '../train/presets.ts';
import { averageViews, AVERAGE_MODES, type AverageMode } from '../eval/average.ts';
import { extractView, resizedSize } from '../eval/extractView.ts';
import { argmax, singleLabelMetrics } from '../eval/metrics.ts';
import { parseViews, protocolPreset, resolveProtocol, type ResolvedProtocol } from '../eval/protocols.ts';
import { planViews, viewCount } from '../eval/views.ts';
import type { JobContext } from './jobs.ts';
import { openModel } from './modelImport.ts';
import { forwardLogits } from './predict.ts';

/** Views per forward pass: bounds the activations a multi-view video needs on the GPU. */
const VIEW_BATCH = 3;

function resolve(spec: EvalSpec, arch: string): ResolvedProtocol {
  const preset = protocolPreset(spec.protocol ?? 'single-view');
  if (spec.average !== undefined && !AVERAGE_MODES.includes(spec.average)) {
    throw new TubeletError('INVALID_ARGUMENT', `average must be one of ${AVERAGE_MODES.join(', ')}`);
  }
  const views = spec.views === undefined ? {} : parseViews(spec.views);
  const split = spec.split === undefined ? {} : { split: spec.split === 'all' ? null : spec.split };
  const average: { average?: AverageMode } = spec.average === undefined ? {} : { average: spec.average };
  const sizes = {
    ...(spec.clipLen === undefined ? {} : { clipLen: spec.clipLen }),
    ...(spec.frameInterval === undefined ? {} : { frameInterval: spec.frameInterval }),
    ...(spec.cropSize === undefined ? {} : { cropSize: spec.cropSize }),
  };
  return resolveProtocol(preset, zooEntry(arch).referenceInput, { ...views, ...split, ...average, ...sizes });
}

/** Deterministic id: the same model, dataset and protocol resume the same evaluation. */
export function evalId(model: string, dataset: string, p: ResolvedProtocol): string {
  const v = p.views;
  return [
    model,
    dataset,
    p.split ?? 'all',
    p.name,
    `${v.numClips}x${v.crop}`,
    v.clipLen,
    v.frameInterval,
    v.cropSize,
    p.average,
  ].join('|');
}

function summary(p: ResolvedProtocol): EvalResult['protocol'] {
  const { views: v } = p;
  return {
    name: p.name,
    split: p.split,
    ...v,
    shortSide: p.shortSide,
    average: p.average,
    viewsPerVideo: viewCount(v),
  };
}

export async function runEvalJob(
  spec: EvalSpec,
  job: JobContext,
  store: EvalStore = evalStore(),
): Promise<EvalResult> {
  const t0 = performance.now();
  const datasets = datasetStore();
  const dataset =
    (await datasets.getDataset(spec.dataset)) ??
    (await datasets.listDatasets()).find((d) => d.name === spec.dataset);
  if (!dataset)
    throw new TubeletError('DATASET_NOT_FOUND', `No stored dataset has the id '${spec.dataset}'.`);
  job.progress('load', 0, 1);
  const model = await openModel(spec.model, undefined, { numClasses: dataset.classes.length });
  try {
    const protocol = resolve(spec, model.name);
    const id = evalId(spec.model, dataset.id, protocol);
    const frames = frameStore();
    const videos = (await frames.listVideos(dataset.id))
      .filter(
        (v) =>
          v.status === 'done' &&
          v.label !== null &&
          (protocol.split === null || v.splits.includes(protocol.split)),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    if (videos.length === 0) {
      throw new TubeletError(
        'VIDEO_NOT_FOUND',
        `Dataset ${dataset.name} has no stored labelled videos in split ${protocol.split ?? 'all'}.`,
        {
          hint: `its folds: ${dataset.folds.join(', ') || '(none)'}; pass --split all to score every labelled video`,
        },
      );
    }
    if (spec.fresh) await store.deleteEval(id);
    const old = await store.getEval(id);
    const header = (status: EvalRecord['status'], seconds: number, metrics: string | null): EvalRecord => ({
      id,
      model: spec.model,
      dataset: dataset.id,
      split: protocol.split,
      protocol: JSON.stringify(protocol),
      status,
      videosTotal: videos.length,
      metrics,
      seconds,
      createdAt: old?.createdAt ?? Date.now(),
      updatedAt: Date.now(),
    });
    const before = old?.seconds ?? 0;
    await store.putEval(header('running', before, null));
    const done = new Map((await store.listVideos(id)).map((r) => [r.videoId, r]));
    const resumed = videos.filter((v) => done.has(v.id)).length;
    const c = protocol.views.cropSize;
    const perView = 3 * protocol.views.clipLen * c * c;
    let scored = 0;
    try {
      for (const [i, video] of videos.entries()) {
        job.checkpoint();
        job.progress('videos', i, videos.length);
        if (done.has(video.id)) continue;
        const rs = resizedSize(video.width, video.height, protocol.shortSide);
        const views = planViews(video.frameCount, rs.width, rs.height, protocol.views);
        const viewLogits: number[][] = [];
        for (let b = 0; b < views.length; b += VIEW_BATCH) {
          const batch = views.slice(b, b + VIEW_BATCH);
          const data = new Float32Array(batch.length * perView);
          for (const [k, view] of batch.entries()) {
            const rgb = await frames.readFrames(video.id, view.frameInds);
            const src = {
              frames: rgb,
              count: view.frameInds.length,
              width: video.width,
              height: video.height,
            };
            extractView(src, protocol.shortSide, view.box, MMACTION_MEAN, MMACTION_STD, data, k * perView);
          }
          job.checkpoint();
          const logits = await forwardLogits(model, {
            shape: [batch.length, 3, protocol.views.clipLen, c, c],
            data,
          });
          viewLogits.push(...logits);
        }
        if ((viewLogits[0]?.length ?? 0) !== dataset.classes.length) {
          throw new TubeletError(
            'INVALID_ARGUMENT',
            `model ${spec.model} outputs ${viewLogits[0]?.length ?? 0} classes, dataset ${dataset.name} has ${dataset.classes.length}`,
          );
        }
        const record = {
          evalId: id,
          videoId: video.id,
          label: video.label ?? 0,
          scores: averageViews(viewLogits, protocol.average),
          viewLogits,
        };
        await store.putVideo(record);
        done.set(video.id, record);
        scored++;
      }
    } catch (error) {
      const stopped = error instanceof TubeletError && error.code === 'JOB_CANCELLED';
      await store.putEval(
        header(stopped ? 'stopped' : 'failed', before + (performance.now() - t0) / 1000, null),
      );
      throw error;
    }
    job.progress('videos', videos.length, videos.length);
    const rows = videos.map((v) => done.get(v.id)).filter((r) => r !== undefined);
    const perVideo: EvalVideoResult[] = rows.map((r) => ({
      video: r.videoId,
      label: r.label,
      pred: argmax(r.scores),
      views: r.viewLogits.length,
      scores: r.scores,
    }));
    const m = singleLabelMetrics(
      rows.map((r) => r.scores),
      rows.map((r) => r.label),
      dataset.classes.length,
    );
    const metrics = {
      top1: m.top1,
      top5: m.top5,
      mean_class_accuracy: m.meanClassAccuracy,
      confusion: m.confusion,
      per_class: m.perClass,
    };
    const seconds = before + (performance.now() - t0) / 1000;
    await store.putEval(header('done', seconds, JSON.stringify(metrics)));
    return {
      id,
      model: spec.model,
      dataset: dataset.id,
      classes: dataset.classes,
      protocol: summary(protocol),
      ...metrics,
      per_video: perVideo,
      scored,
      resumed,
      seconds,
    };
  } finally {
    model.dispose();
  }
}

export async function listEvals(store: EvalStore = evalStore()): Promise<StoredEvalSummary[]> {
  const records = await store.listEvals();
  const out: StoredEvalSummary[] = [];
  for (const r of records.sort((a, b) => b.updatedAt - a.updatedAt)) {
    const m =
      r.metrics === null
        ? null
        : (JSON.parse(r.metrics) as { top1: number; top5: number; mean_class_accuracy: number });
    out.push({
      id: r.id,
      model: r.model,
      dataset: r.dataset,
      split: r.split,
      protocol: (JSON.parse(r.protocol) as ResolvedProtocol).name,
      status: r.status,
      videosDone: (await store.listVideos(r.id)).length,
      videosTotal: r.videosTotal,
      top1: m?.top1 ?? null,
      top5: m?.top5 ?? null,
      meanClassAccuracy: m?.mean_class_accuracy ?? null,
      seconds: r.seconds,
      updatedAt: r.updatedAt,
    });
  }
  return out;
}
