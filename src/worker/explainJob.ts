// The `explain` job (compute worker): one clip of a stored video, a video file, webcam frames or a tensor through a
// stored model or zoo arch; Grad-CAM(++) on a 5-D layer, CLS attention or rollout, upsampled to the clip as bytes.
import { TubeletError } from '../shared/errors.ts';
import type { ExplainMethod, ExplainResult, ExplainSpec } from '../shared/protocol/explain.ts';
import { tf } from '../models/tf.ts';
import { zooEntry } from '../models/zoo/registry.ts';
import type { ZooModel } from '../models/zoo/zooModel.ts';
import { sampleFrames } from '../data/sampling/sampleFrames.ts';
import { decodeVideo } from '../data/decode/decodeVideo.ts';
import { datasetStore } from '../data/store/datasets.ts';
import { frameStore } from '../data/store/frames.ts';
import { MMACTION_MEAN, MMACTION_STD } from '../train/presets.ts';
import { camLayers, gradCam } from '../eval/explain/gradcam.ts';
import {
  attentionLayers,
  captureAttention,
  clsAttention,
  rolloutTrailing,
} from '../eval/explain/attention.ts';
import { captureDivided, dividedLayers, isDivided, rolloutDivided } from '../eval/explain/divided.ts';
import { normalise01, resizeTrilinear, toUint8, type Map3D } from '../eval/explain/maps.ts';
import { denormaliseClip, fitFrames, normaliseClip } from '../eval/explain/clipFrames.ts';
import type { JobContext } from './jobs.ts';
import { openModel } from './modelImport.ts';
import { topK } from './predict.ts';
import { softmax } from '../eval/average.ts';

interface Clip {
  readonly frames: Uint8Array;
  readonly className: string | null;
  readonly classes: readonly string[] | null;
}

function centreInds(frameCount: number, t: number, clip: number): Int32Array {
  const numClips = Math.max(1, clip + 1);
  const all = sampleFrames(frameCount, { clipLen: t, numClips, testMode: true }).frameInds;
  return Int32Array.from(all.subarray(clip * t, clip * t + t));
}

async function loadClip(spec: ExplainSpec, [t, h, w]: readonly [number, number, number]): Promise<Clip> {
  const input = spec.input;
  if (input.type === 'frames') {
    // any length and size: frames picked evenly to the model's T, then resized and centre-cropped
    const size = input.h * input.w * 3;
    const picked = new Uint8Array(t * size);
    for (let i = 0; i < t; i++) {
      const f = Math.min(input.t - 1, Math.floor(((i + 0.5) * input.t) / t));
      picked.set(input.frames.subarray(f * size, (f + 1) * size), i * size);
    }
    const frames = input.h === h && input.w === w ? picked : fitFrames(picked, t, input.h, input.w, h, w);
    return { frames, className: null, classes: null };
  }
  if (input.type === 'tensor') {
    const [n, c, tt, hh, ww] = input.tensor.shape;
    if (n !== 1 || c !== 3 || tt !== t || hh !== h || ww !== w)
      throw new TubeletError(
        'INVALID_ARGUMENT',
        `explain takes x of [1, 3, ${t}, ${h}, ${w}], got [${input.tensor.shape.join(', ')}]`,
      );
    const ndhwc = new Float32Array(t * h * w * 3);
    input.tensor.data.forEach((v, i) => {
      const ch = Math.floor(i / (t * h * w));
      ndhwc[(i % (t * h * w)) * 3 + ch] = v;
    });
    return { frames: denormaliseClip(ndhwc, MMACTION_MEAN, MMACTION_STD), className: null, classes: null };
  }
  if (input.type === 'video') {
    const { layout, frames } = await decodeVideo(input.file, input.fileName, { shortSide: h });
    const inds = centreInds(layout.frameCount, t, 0);
    const picked = new Uint8Array(t * layout.height * layout.width * 3);
    const size = layout.height * layout.width * 3;
    inds.forEach((f, i) => {
      picked.set(frames.subarray(f * size, (f + 1) * size), i * size);
    });
    return {
      frames: fitFrames(picked, t, layout.height, layout.width, h, w),
      className: null,
      classes: null,
    };
  }
  const dataset = await datasetStore().getDataset(input.datasetId);
  if (!dataset)
    throw new TubeletError('INVALID_ARGUMENT', `No stored dataset has the id '${input.datasetId}'.`, {
      hint: 'List the stored datasets (tubelet datasets) to see their ids.',
    });
  const store = frameStore();
  const done = (await store.listVideos(input.datasetId))
    .filter((v) => v.status === 'done')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const video = done[input.videoIndex];
  if (!video)
    throw new TubeletError(
      'VIDEO_NOT_FOUND',
      `Dataset ${dataset.name} has no done video ${input.videoIndex} (it has ${done.length}).`,
    );
  const rgb = await store.readFrames(video.id, centreInds(video.frameCount, t, input.clip ?? 0));
  return {
    frames: fitFrames(rgb, t, video.height, video.width, h, w),
    className: video.label === null ? null : (dataset.classes[video.label] ?? null),
    classes: dataset.classes,
  };
}

function inputSize(model: ZooModel): readonly [number, number, number] {
  const entry = zooEntry(model.name);
  return model.config.preset === 'tiny' ? entry.tinyInput : entry.referenceInput;
}

const up = (m: Map3D, t: number, h: number, w: number): Uint8Array =>
  toUint8(normalise01(resizeTrilinear(m, t, h, w).data));

let cached: { key: string; model: ZooModel } | null = null;

/** predictOnly calls (the live webcam) keep their model open between calls. */
async function modelFor(spec: ExplainSpec, numClasses: number | undefined): Promise<ZooModel> {
  const key = `${spec.model}|${numClasses ?? ''}`;
  if (cached?.key === key && spec.predictOnly === true) return cached.model;
  cached?.model.dispose();
  cached = null;
  const model = await openModel(spec.model, undefined, numClasses === undefined ? {} : { numClasses });
  if (spec.predictOnly === true) cached = { key, model };
  return model;
}

export async function explain(spec: ExplainSpec, job: JobContext): Promise<ExplainResult> {
  job.progress('load', 0, 3);
  const classes =
    spec.input.type === 'stored'
      ? ((await datasetStore().getDataset(spec.input.datasetId))?.classes ?? null)
      : (spec.classNames ?? null);
  const model = await modelFor(spec, classes?.length);
  try {
    const [t, h, w] = inputSize(model);
    const clip = await loadClip(spec, [t, h, w]);
    job.checkpoint();
    job.progress('forward', 1, 3);
    const x = tf.tensor5d(normaliseClip(clip.frames, MMACTION_MEAN, MMACTION_STD), [1, t, h, w, 3]);
    try {
      const divided = isDivided(model);
      const attn = divided ? dividedLayers(model) : attentionLayers(model);
      const method: ExplainMethod = spec.method ?? (attn.length > 0 ? 'attention' : 'gradcam');
      let logits: Float32Array;
      let layer = '';
      let layers: string[] = [];
      let map: Uint8Array = new Uint8Array(0);
      let headMaps: Uint8Array = new Uint8Array(0);
      let heads = 0;
      if (spec.predictOnly === true) {
        const out = tf.tidy(() => model.forward(x, { training: false }) as tf.Tensor);
        logits = new Float32Array(await out.data());
        out.dispose();
      } else if (method === 'gradcam' || method === 'gradcampp') {
        layers = camLayers(model, [1, t, h, w, 3]);
        layer = spec.layer ?? layers[layers.length - 1] ?? '';
        const cam = await gradCam(model, x, {
          layer,
          method: method === 'gradcam' ? 'gradcam' : 'gradcam++',
          ...(spec.classIndex === undefined ? {} : { classIndex: spec.classIndex }),
        });
        logits = cam.logits;
        map = toUint8(cam.map.data);
      } else {
        layers = attn;
        const dividedCapture = divided ? await captureDivided(model, x) : null;
        const captured = dividedCapture ?? (await captureAttention(model, x));
        logits = captured.logits;
        if (method === 'rollout') {
          const r = dividedCapture ? rolloutDivided(dividedCapture) : rolloutTrailing(captured.layers);
          layer = r.layers.join(',');
          map = up(r.map, t, h, w);
        } else {
          // TimeSformer: the last block's spatial (class-token) attention, not its temporal one
          layer = spec.layer ?? attn[attn.length - (divided ? 2 : 1)] ?? '';
          const a = captured.layers.find((l) => l.layer === layer);
          if (!a)
            throw new TubeletError('INVALID_ARGUMENT', `${spec.model} has no attention layer '${layer}'`, {
              hint: `choose one of: ${attn.join(', ')}`,
            });
          const maps = clsAttention(a);
          map = up(maps.mean, t, h, w);
          heads = maps.heads.length;
          headMaps = new Uint8Array(heads * t * h * w);
          maps.heads.forEach((m, i) => {
            headMaps.set(up(m, t, h, w), i * t * h * w);
          });
        }
      }
      job.progress('maps', 2, 3);
      const probs = softmax(Array.from(logits));
      const labels = classes !== null && classes.length === probs.length ? classes : null;
      const top = topK(probs, spec.topk ?? 5).map((r) => ({ ...r, label: labels?.[r.index] ?? null }));
      const argmax = top[0]?.index ?? 0;
      return {
        model: spec.model,
        method,
        layer,
        layers,
        classIndex: spec.classIndex ?? argmax,
        topk: top,
        t,
        h,
        w,
        frames: clip.frames,
        map,
        headMaps,
        heads,
        className: clip.className,
      };
    } finally {
      x.dispose();
    }
  } finally {
    if (cached?.model !== model) model.dispose();
  }
}
