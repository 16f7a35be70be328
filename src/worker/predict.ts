// The `predict` job (compute worker): one forward pass of a stored model or a registry arch on a clip given as a
// normalised f32[N,C,T,H,W] tensor (safetensors `x`) or decoded from a video (centre clip, centre crop, MMAction2
// mean/std), returning logits, softmax probabilities and the top-k classes per batch element.
import { TubeletError } from '../shared/errors.ts';
import type { InputTensor, PredictResult, PredictSpec } from '../shared/modelIo.ts';
import { tf } from '../models/tf.ts';
import { readSafetensors } from '../models/weights/safetensors.ts';
import { activationsToTf } from '../models/weights/layout.ts';
import { zooEntry } from '../models/zoo/registry.ts';
import { sampleFrames } from '../data/sampling/sampleFrames.ts';
import { decodeVideo } from '../data/decode/decodeVideo.ts';
import { MMACTION_MEAN, MMACTION_STD } from '../train/presets.ts';
import type { ZooModel } from '../models/zoo/zooModel.ts';
import type { JobContext } from './jobs.ts';
import { openModel } from './modelImport.ts';
import { softmax } from '../eval/average.ts';

/** x: f32[N,C,T,H,W] from a safetensors file's float32 tensor `x`; INVALID_ARGUMENT naming the file otherwise. */
export function inputFromSafetensors(bytes: Uint8Array, fileName: string): InputTensor {
  const x = readSafetensors(bytes, fileName).get('x');
  const bad = (what: string): TubeletError =>
    new TubeletError('INVALID_ARGUMENT', `${fileName}: ${what}`, {
      hint: 'save the clip with safetensors.torch.save_file({"x": x.float().contiguous()}, path), x of shape [N, 3, T, H, W], already normalised',
    });
  if (!x) throw bad('holds no tensor named x');
  if (x.dtype !== 'float32') throw bad(`x is ${x.dtype}, not float32`);
  if (x.shape.length !== 5 || x.shape[1] !== 3)
    throw bad(`x is [${x.shape.join(', ')}], not [N, 3, T, H, W]`);
  return { shape: x.shape as [number, number, number, number, number], data: x.data as Float32Array };
}

/** Decoded frames u8[frameCount, height, width, 3] (RGB). */
export interface FrameStack {
  readonly frames: Uint8Array;
  readonly frameCount: number;
  readonly height: number;
  readonly width: number;
}

/**
 * The centre clip x: f32[1,3,T,H,W] of `video`: the centre T consecutive frames (looped when the video is shorter,
 * MMAction2 SampleFrames test mode), the centre H×W crop, (v − mean) / std with MMAction2's ImageNet statistics.
 */
export function centreClip(video: FrameStack, [t, h, w]: readonly [number, number, number]): InputTensor {
  const inds = sampleFrames(video.frameCount, { clipLen: t, numClips: 1, testMode: true }).frameInds;
  const top = Math.floor((video.height - h) / 2);
  const left = Math.floor((video.width - w) / 2);
  const data = new Float32Array(3 * t * h * w);
  for (let ti = 0; ti < t; ti++) {
    const f = inds[ti] ?? 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((f * video.height + top + y) * video.width + left + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = ((video.frames[src + c] ?? 0) - (MMACTION_MEAN[c] ?? 0)) / (MMACTION_STD[c] ?? 1);
          data[((c * t + ti) * h + y) * w + x] = v;
        }
      }
    }
  }
  return { shape: [1, 3, t, h, w], data };
}

/** A video decoded with its short side at 8/7 of the model's reference H (128 for 112), then its centre clip. */
export async function inputFromVideo(file: Blob, fileName: string, arch: string): Promise<InputTensor> {
  const [t, h, w] = zooEntry(arch).referenceInput;
  const { layout, frames } = await decodeVideo(file, fileName, { shortSide: Math.round((h * 8) / 7) });
  if (layout.width < w || layout.height < h) {
    throw new TubeletError(
      'INVALID_ARGUMENT',
      `${fileName} decodes to ${layout.width}×${layout.height}, smaller than the ${w}×${h} crop`,
    );
  }
  return centreClip({ frames, frameCount: layout.frameCount, height: layout.height, width: layout.width }, [
    t,
    h,
    w,
  ]);
}

/** Logits f32[N,classes] for x: f32[N,C,T,H,W] (eval mode), as nested arrays. */
export async function forwardLogits(model: ZooModel, input: InputTensor): Promise<number[][]> {
  const ndhwc = activationsToTf({ dtype: 'float32', shape: [...input.shape], data: input.data });
  const logits = tf.tidy(() =>
    model.forward(
      tf.tensor5d(ndhwc.data as Float32Array, ndhwc.shape as [number, number, number, number, number]),
      {
        training: false,
      },
    ),
  );
  try {
    return await logits.array();
  } finally {
    logits.dispose();
  }
}

export function topK(
  probs: readonly number[],
  k: number,
): { index: number; label: string | null; prob: number }[] {
  return probs
    .map((prob, index) => ({ index, label: null, prob }))
    .sort((a, b) => b.prob - a.prob || a.index - b.index)
    .slice(0, Math.max(0, Math.min(k, probs.length)));
}

export async function predict(spec: PredictSpec, job: JobContext): Promise<PredictResult> {
  if (!Number.isInteger(spec.topk) || spec.topk < 1) {
    throw new TubeletError('INVALID_ARGUMENT', `topk must be a positive integer, got ${spec.topk}`);
  }
  job.progress('load', 0, 3);
  const model = await openModel(spec.model);
  try {
    job.progress('input', 1, 3);
    const { input } = spec;
    let x: InputTensor;
    if (input.type === 'video') x = await inputFromVideo(input.file, input.fileName, model.name);
    else if (input.tensor) x = input.tensor;
    else if (input.file)
      x = inputFromSafetensors(new Uint8Array(await input.file.arrayBuffer()), input.fileName);
    else throw new TubeletError('INVALID_ARGUMENT', 'predict needs an input tensor or a file');
    job.checkpoint();
    job.progress('forward', 2, 3);
    const logits = await forwardLogits(model, x);
    const probabilities = logits.map(softmax);
    return { model: spec.model, logits, probabilities, topk: probabilities.map((p) => topK(p, spec.topk)) };
  } finally {
    model.dispose();
  }
}
