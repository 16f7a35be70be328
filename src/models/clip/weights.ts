// CLIP state dicts: Hugging Face CLIPModel names → OpenAI names (q/k/v joined into in_proj, projections
// transposed) and back, and the strict load into tf tensors with a report (missing / unexpected / shape mismatch).
import { tf } from '../tf.ts';
import { TubeletError } from '../../shared/errors.ts';
import { toFloat32, type WeightTensor } from '../weights/dtypes.ts';
import { clipParameterShapes, inferClipConfig, type ClipConfig } from './config.ts';

/** OpenAI-only extras that carry no weights (TorchScript .pt files) and HF buffers. */
const IGNORED = /^(input_resolution|context_length|vocab_size)$|position_ids$/;

const RENAMES: readonly (readonly [string, string])[] = [
  ['.layer_norm1.', '.ln_1.'],
  ['.layer_norm2.', '.ln_2.'],
  ['.mlp.fc1.', '.mlp.c_fc.'],
  ['.mlp.fc2.', '.mlp.c_proj.'],
  ['.self_attn.out_proj.', '.attn.out_proj.'],
];
const TOP: Readonly<Record<string, string>> = {
  'embeddings.token_embedding.weight': 'token_embedding.weight',
  'embeddings.position_embedding.weight': 'positional_embedding',
  'final_layer_norm.weight': 'ln_final.weight',
  'final_layer_norm.bias': 'ln_final.bias',
  'embeddings.patch_embedding.weight': 'conv1.weight',
  'embeddings.class_embedding': 'class_embedding',
  'pre_layrnorm.weight': 'ln_pre.weight',
  'pre_layrnorm.bias': 'ln_pre.bias',
  'post_layernorm.weight': 'ln_post.weight',
  'post_layernorm.bias': 'ln_post.bias',
};

function transpose2d(t: WeightTensor): WeightTensor {
  const [r = 0, c = 0] = t.shape;
  const src = toFloat32(t);
  const out = new Float32Array(src.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = src[i * c + j] ?? 0;
  return { dtype: 'float32', shape: [c, r], data: out };
}

function concat0(parts: readonly WeightTensor[]): WeightTensor {
  const arrays = parts.map(toFloat32);
  const out = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  const [first] = parts;
  return {
    dtype: 'float32',
    shape: [3 * (first?.shape[0] ?? 0), ...(first?.shape.slice(1) ?? [])],
    data: out,
  };
}

export const isHuggingFaceClip = (keys: Iterable<string>): boolean =>
  [...keys].some((k) => k.startsWith('vision_model.') || k.startsWith('text_model.'));

/** Renames a Hugging Face CLIPModel state dict to OpenAI's key names (q, k, v joined in that order). */
export function fromHuggingFace(hf: ReadonlyMap<string, WeightTensor>): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  const qkv = new Map<string, Partial<Record<'q' | 'k' | 'v', WeightTensor>>>();
  for (const [key, t] of hf) {
    if (key === 'text_projection.weight') out.set('text_projection', transpose2d(t));
    else if (key === 'visual_projection.weight') out.set('visual.proj', transpose2d(t));
    else if (key === 'logit_scale') out.set(key, t);
    else {
      const m = /^(vision_model|text_model)\.(.*)$/.exec(key);
      if (!m?.[2]) {
        out.set(key, t); // reported as unexpected
        continue;
      }
      const prefix = m[1] === 'vision_model' ? 'visual.' : '';
      let rest = TOP[m[2]] ?? m[2].replace(/^encoder\.layers\./, 'transformer.resblocks.');
      for (const [a, b] of RENAMES) rest = rest.replace(a, b);
      const split = /^(.*)\.self_attn\.([qkv])_proj\.(weight|bias)$/.exec(rest);
      if (split?.[1] && split[3]) {
        const name = `${prefix}${split[1]}.attn.in_proj_${split[3]}`;
        const parts = qkv.get(name) ?? {};
        parts[split[2] as 'q' | 'k' | 'v'] = t;
        qkv.set(name, parts);
      } else out.set(prefix + rest, t);
    }
  }
  for (const [name, { q, k, v }] of qkv) {
    if (!q || !k || !v)
      throw new TubeletError('WEIGHTS_MALFORMED', `${name}: q, k and v projections are not all present`);
    out.set(name, concat0([q, k, v]));
  }
  return out;
}

/** OpenAI names → Hugging Face CLIPModel names (in_proj split into q, k, v; projections transposed). */
export function toHuggingFace(openai: ReadonlyMap<string, WeightTensor>): Map<string, WeightTensor> {
  const inverse = new Map(Object.entries(TOP).map(([hf, oa]) => [oa, hf] as const));
  const out = new Map<string, WeightTensor>();
  for (const [key, t] of openai) {
    if (key === 'text_projection') out.set('text_projection.weight', transpose2d(t));
    else if (key === 'visual.proj') out.set('visual_projection.weight', transpose2d(t));
    else if (key === 'logit_scale') out.set(key, t);
    else {
      const visual = key.startsWith('visual.');
      const prefix = visual ? 'vision_model.' : 'text_model.';
      let rest = visual ? key.slice(7) : key;
      rest = inverse.get(rest) ?? rest.replace(/^transformer\.resblocks\./, 'encoder.layers.');
      for (const [a, b] of RENAMES) rest = rest.replace(b, a);
      const packed = /^(.*)\.attn\.in_proj_(weight|bias)$/.exec(rest);
      if (packed?.[1] && packed[2]) {
        const data = toFloat32(t);
        const rows = (t.shape[0] ?? 0) / 3;
        const size = data.length / 3;
        ['q', 'k', 'v'].forEach((n, i) =>
          out.set(`${prefix}${packed[1]}.self_attn.${n}_proj.${packed[2]}`, {
            dtype: 'float32',
            shape: [rows, ...t.shape.slice(1)],
            data: data.slice(i * size, (i + 1) * size),
          }),
        );
      } else out.set(prefix + rest, t);
    }
  }
  return out;
}

export interface ClipLoadReport {
  readonly source: 'openai' | 'huggingface';
  readonly config: ClipConfig;
  readonly loaded: string[];
  readonly missing: string[];
  readonly unexpected: string[];
  readonly mismatched: { key: string; expected: number[]; got: number[] }[];
  readonly ignored: string[];
}

export interface ClipWeights {
  readonly config: ClipConfig;
  /** OpenAI key names, PyTorch layouts, float32 */
  readonly tensors: ReadonlyMap<string, tf.Tensor>;
  dispose(): void;
}

/**
 * Loads a CLIP state dict (OpenAI or Hugging Face names, detected) into float32 tf tensors. The config is given or
 * inferred from the shapes. Strict by default: anything missing, unexpected or mis-shaped throws WEIGHTS_MALFORMED
 * with the report in `details`; `strict: false` loads what matches and returns the report.
 */
export function loadClipWeights(
  state: ReadonlyMap<string, WeightTensor>,
  opts: { config?: ClipConfig; strict?: boolean } = {},
): { weights: ClipWeights; report: ClipLoadReport } {
  const source = isHuggingFaceClip(state.keys()) ? 'huggingface' : 'openai';
  const ignored = [...state.keys()].filter((k) => IGNORED.test(k));
  const kept = new Map([...state].filter(([k]) => !IGNORED.test(k)));
  const named = source === 'huggingface' ? fromHuggingFace(kept) : kept;
  const config = opts.config ?? inferClipConfig(new Map([...named].map(([k, t]) => [k, t.shape] as const)));
  if (!config)
    throw new TubeletError('WEIGHTS_MALFORMED', 'not a CLIP state dict (no visual.conv1 / token_embedding)');
  const expected = clipParameterShapes(config);
  const report: ClipLoadReport = {
    source,
    config,
    loaded: [],
    missing: [...expected.keys()].filter((k) => !named.has(k)),
    unexpected: [...named.keys()].filter((k) => !expected.has(k)),
    mismatched: [],
    ignored,
  };
  const tensors = new Map<string, tf.Tensor>();
  for (const [key, shape] of expected) {
    const t = named.get(key);
    if (!t) continue;
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      report.mismatched.push({ key, expected: shape, got: [...t.shape] });
      continue;
    }
    tensors.set(key, tf.tensor(toFloat32(t), shape, 'float32'));
    report.loaded.push(key);
  }
  const weights: ClipWeights = {
    config,
    tensors,
    dispose: () => {
      tensors.forEach((t) => {
        t.dispose();
      });
    },
  };
  if (
    opts.strict !== false &&
    (report.missing.length || report.unexpected.length || report.mismatched.length)
  ) {
    weights.dispose();
    throw new TubeletError('WEIGHTS_MALFORMED', 'CLIP state dict does not match the model', {
      details: describeClipLoad(report),
    });
  }
  return { weights, report };
}

export function describeClipLoad(r: ClipLoadReport): string {
  const lines = [`${r.source} names: ${r.loaded.length} loaded`];
  if (r.missing.length) lines.push(`missing (${r.missing.length}): ${r.missing.slice(0, 8).join(', ')}`);
  if (r.unexpected.length)
    lines.push(`unexpected (${r.unexpected.length}): ${r.unexpected.slice(0, 8).join(', ')}`);
  for (const m of r.mismatched.slice(0, 8))
    lines.push(`shape mismatch ${m.key}: expected [${m.expected.join(',')}], got [${m.got.join(',')}]`);
  if (r.ignored.length) lines.push(`ignored: ${r.ignored.join(', ')}`);
  return lines.join('\n');
}
