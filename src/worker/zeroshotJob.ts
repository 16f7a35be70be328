// The `zeroshot` job (compute worker): CLIP frame embeddings of every labelled stored video of a dataset (frames at
// segment centres, short side resized and centre-cropped to CLIP's input), prompt-ensembled class embeddings, and
// BIKE's frame-softmax scores under the full-class and half-class protocols (src/eval/zeroshot.ts).
import { TubeletError } from '../shared/errors.ts';
import {
  RANDOM_CLIP,
  type ZeroShotResult,
  type ZeroShotSpec,
  type ZeroShotVideoResult,
} from '../shared/protocol/zeroshot.ts';
import { datasetStore } from '../data/store/datasets.ts';
import { frameStore } from '../data/store/frames.ts';
import { extractView, resizedSize } from '../eval/extractView.ts';
import { BIKE_TEMPLATES, classEmbeddings, fullClass, halfClass, zeroShotScores } from '../eval/zeroshot.ts';
import { tf } from '../models/tf.ts';
import { encodeImage, encodeTextTrimmed, logitScale } from '../models/clip/model.ts';
import { randomClip } from '../models/clip/randomClip.ts';
import type { JobContext } from './jobs.ts';

/** CLIP's pixel mean and std (OpenAI's preprocess), on the 0–255 scale extractView reads. */
const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073].map((v) => v * 255);
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711].map((v) => v * 255);
/** Videos per image-encoder call (frames × videos images at once). */
const VIDEO_BATCH = 8;

/** A dataset class name as prompt text: underscores and dashes become spaces, CamelCase is split, lower-cased. */
export const promptName = (name: string): string =>
  name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();

/** Frame indices at the centres of `t` equal segments of `count` frames (BIKE's test sampling). */
export function segmentCentres(count: number, t: number): Int32Array {
  const out = new Int32Array(t);
  for (let i = 0; i < t; i++) out[i] = Math.min(count - 1, Math.floor(((i + 0.5) * count) / t));
  return out;
}

export async function runZeroShotJob(spec: ZeroShotSpec, job: JobContext): Promise<ZeroShotResult> {
  const t0 = performance.now();
  const model = spec.model ?? RANDOM_CLIP;
  if (model !== RANDOM_CLIP) {
    throw new TubeletError('INVALID_ARGUMENT', `no CLIP model named '${model}' is stored`, {
      hint: `importing CLIP checkpoints into the studio is not built yet; use --model ${RANDOM_CLIP} (random weights)`,
    });
  }
  const frameCount = spec.frames ?? 8;
  if (!Number.isInteger(frameCount) || frameCount < 1 || frameCount > 64)
    throw new TubeletError('INVALID_ARGUMENT', `frames must be an integer from 1 to 64, got ${frameCount}`);
  const templates = spec.templates?.length ? [...spec.templates] : [...BIKE_TEMPLATES];
  const datasets = datasetStore();
  const dataset =
    (await datasets.getDataset(spec.dataset)) ??
    (await datasets.listDatasets()).find((d) => d.name === spec.dataset);
  if (!dataset)
    throw new TubeletError('DATASET_NOT_FOUND', `No stored dataset has the id '${spec.dataset}'.`);
  const protocol = spec.protocol ?? 'full';
  if (protocol === 'half' && dataset.classes.length < 2)
    throw new TubeletError('INVALID_ARGUMENT', 'the half-class protocol needs at least 2 classes');
  const split = spec.split ?? 'all';
  const frames = frameStore();
  const videos = (await frames.listVideos(dataset.id))
    .filter((v) => v.status === 'done' && v.label !== null && (split === 'all' || v.splits.includes(split)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (videos.length === 0)
    throw new TubeletError(
      'VIDEO_NOT_FOUND',
      `Dataset ${dataset.name} has no stored labelled videos in ${split}.`,
    );
  const names = dataset.classes.map(promptName);
  job.progress('load', 0, 1);
  const clip = randomClip(spec.seed ?? 0);
  try {
    const { weights, tokenizer } = clip;
    const size = weights.config.imageSize;
    job.progress('text', 0, 1);
    const classEmb = await classEmbeddings(names, templates, async (prompts) => {
      const t = encodeTextTrimmed(
        weights,
        tokenizer.tokenizeAll(prompts, { contextLength: weights.config.contextLength }),
      );
      try {
        return await t.array();
      } finally {
        t.dispose();
      }
    });
    const perVideo: ZeroShotVideoResult[] = [];
    const perVideoSize = 3 * frameCount * size * size;
    const scale = logitScale(weights);
    for (let b = 0; b < videos.length; b += VIDEO_BATCH) {
      job.checkpoint();
      job.progress('videos', b, videos.length);
      const batch = videos.slice(b, b + VIDEO_BATCH);
      // every call has the same shape (the last batch zero-padded), so the GPU programs compile once
      const rows = Math.min(VIDEO_BATCH, videos.length);
      const data = new Float32Array(rows * perVideoSize);
      for (const [k, video] of batch.entries()) {
        const rgb = await frames.readFrames(video.id, segmentCentres(video.frameCount, frameCount));
        const rs = resizedSize(video.width, video.height, size);
        const box = {
          x: Math.floor((rs.width - size) / 2),
          y: Math.floor((rs.height - size) / 2),
          w: size,
          h: size,
          flip: false,
        };
        const src = { frames: rgb, count: frameCount, width: video.width, height: video.height };
        extractView(src, size, box, CLIP_MEAN, CLIP_STD, data, k * perVideoSize);
      }
      job.checkpoint();
      const emb = tf.tidy(() => {
        const x = tf.tensor5d(data, [rows, 3, frameCount, size, size]);
        const nhwc = tf.transpose(x, [0, 2, 3, 4, 1]).reshape([rows * frameCount, size, size, 3]);
        return encodeImage(weights, nhwc as tf.Tensor4D);
      });
      const feats = await emb.array();
      emb.dispose();
      const grouped = batch.map((_, k) => feats.slice(k * frameCount, (k + 1) * frameCount));
      const scores = zeroShotScores(grouped, classEmb, { scale, normaliseFrames: true });
      batch.forEach((video, k) => {
        perVideo.push({ video: video.id, label: video.label ?? 0, scores: scores[k] ?? [] });
      });
    }
    job.progress('videos', videos.length, videos.length);
    const scores = perVideo.map((v) => v.scores);
    const labels = perVideo.map((v) => v.label);
    const m = fullClass(scores, labels, names.length);
    const half = protocol === 'half' ? halfClass(scores, labels, names.length, spec.splits ?? 10) : null;
    return {
      model,
      random: true,
      note: 'random weights: a seeded tiny CLIP with a generated BPE vocabulary; its accuracy means nothing',
      dataset: dataset.id,
      classes: dataset.classes,
      templates,
      protocol,
      split,
      frames: frameCount,
      top1: m.top1,
      top5: m.top5,
      mean_class_accuracy: m.meanClassAccuracy,
      per_class: m.perClass,
      ...(half
        ? {
            splits: half.splits.map((s) => ({
              seed: s.seed,
              classes: s.classes,
              videos: s.videos,
              top1: s.top1,
              top5: s.top5,
              mean_class_accuracy: s.meanClassAccuracy,
            })),
            mean: half.mean,
            std: half.std,
          }
        : {}),
      per_video: perVideo,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    clip.weights.dispose();
  }
}
