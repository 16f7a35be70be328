// CLIP model sizes (OpenAI ViT-B/32, B/16, L/14 and a tiny test config) and the inference of a config from a
// state dict's shapes, as OpenAI's build_model does. Heads are width / 64.
export interface ClipConfig {
  readonly embedDim: number;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly visionWidth: number;
  readonly visionLayers: number;
  readonly textWidth: number;
  readonly textLayers: number;
  readonly vocabSize: number;
  readonly contextLength: number;
}

const text = { textWidth: 512, textLayers: 12, vocabSize: 49408, contextLength: 77 } as const;
export const CLIP_CONFIGS = {
  'ViT-B/32': { embedDim: 512, imageSize: 224, patchSize: 32, visionWidth: 768, visionLayers: 12, ...text },
  'ViT-B/16': { embedDim: 512, imageSize: 224, patchSize: 16, visionWidth: 768, visionLayers: 12, ...text },
  'ViT-L/14': {
    embedDim: 768,
    imageSize: 224,
    patchSize: 14,
    visionWidth: 1024,
    visionLayers: 24,
    ...text,
    textWidth: 768,
  },
  tiny: {
    embedDim: 64,
    imageSize: 32,
    patchSize: 8,
    visionWidth: 128,
    visionLayers: 2,
    textWidth: 128,
    textLayers: 2,
    vocabSize: 623,
    contextLength: 77,
  },
} as const satisfies Record<string, ClipConfig>;
export type ClipName = keyof typeof CLIP_CONFIGS;

export const headsOf = (width: number): number => Math.max(1, Math.round(width / 64));
export const gridOf = (c: ClipConfig): number => Math.floor(c.imageSize / c.patchSize);

/** Every parameter of a CLIP with OpenAI key names and PyTorch shapes. */
export function clipParameterShapes(c: ClipConfig): Map<string, number[]> {
  const m = new Map<string, number[]>();
  const blocks = (prefix: string, w: number, n: number): void => {
    for (let i = 0; i < n; i++) {
      const p = `${prefix}transformer.resblocks.${i}.`;
      for (const ln of ['ln_1', 'ln_2']) for (const s of ['weight', 'bias']) m.set(`${p}${ln}.${s}`, [w]);
      m.set(`${p}attn.in_proj_weight`, [3 * w, w]);
      m.set(`${p}attn.in_proj_bias`, [3 * w]);
      m.set(`${p}attn.out_proj.weight`, [w, w]);
      m.set(`${p}attn.out_proj.bias`, [w]);
      m.set(`${p}mlp.c_fc.weight`, [4 * w, w]);
      m.set(`${p}mlp.c_fc.bias`, [4 * w]);
      m.set(`${p}mlp.c_proj.weight`, [w, 4 * w]);
      m.set(`${p}mlp.c_proj.bias`, [w]);
    }
  };
  const vw = c.visionWidth;
  const g = gridOf(c);
  m.set('visual.class_embedding', [vw]);
  m.set('visual.positional_embedding', [g * g + 1, vw]);
  m.set('visual.conv1.weight', [vw, 3, c.patchSize, c.patchSize]);
  m.set('visual.ln_pre.weight', [vw]);
  m.set('visual.ln_pre.bias', [vw]);
  blocks('visual.', vw, c.visionLayers);
  m.set('visual.ln_post.weight', [vw]);
  m.set('visual.ln_post.bias', [vw]);
  m.set('visual.proj', [vw, c.embedDim]);
  m.set('positional_embedding', [c.contextLength, c.textWidth]);
  m.set('text_projection', [c.textWidth, c.embedDim]);
  m.set('logit_scale', []);
  m.set('token_embedding.weight', [c.vocabSize, c.textWidth]);
  m.set('ln_final.weight', [c.textWidth]);
  m.set('ln_final.bias', [c.textWidth]);
  blocks('', c.textWidth, c.textLayers);
  return m;
}

/** The config a state dict (OpenAI names) describes, or null when a defining tensor is absent. */
export function inferClipConfig(shapes: ReadonlyMap<string, readonly number[]>): ClipConfig | null {
  const conv = shapes.get('visual.conv1.weight');
  const pos = shapes.get('visual.positional_embedding');
  const tok = shapes.get('token_embedding.weight');
  const tpos = shapes.get('positional_embedding');
  const proj = shapes.get('text_projection');
  if (!conv || !pos || !tok || !tpos || !proj) return null;
  const count = (prefix: string): number => {
    const ids = new Set<string>();
    for (const k of shapes.keys()) {
      const m = k.startsWith(prefix) ? /^(\d+)\./.exec(k.slice(prefix.length)) : null;
      if (m?.[1]) ids.add(m[1]);
    }
    return ids.size;
  };
  const patch = conv[2] ?? 0;
  return {
    embedDim: proj[1] ?? 0,
    imageSize: Math.round(Math.sqrt((pos[0] ?? 1) - 1)) * patch,
    patchSize: patch,
    visionWidth: conv[0] ?? 0,
    visionLayers: count('visual.transformer.resblocks.'),
    textWidth: tok[1] ?? 0,
    textLayers: count('transformer.resblocks.'),
    vocabSize: tok[0] ?? 0,
    contextLength: tpos[0] ?? 0,
  };
}
