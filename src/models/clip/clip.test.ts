// A small random CLIP on the cpu backend against its PyTorch twin (fixtures/torch_clip.py, Debian's torch): image
// and text embeddings within 1e-4 relative from the OpenAI-named and the Hugging Face-named state dicts, and the
// tokenizer's ids equal to the Python reference BPE (generated vocabulary) on tricky strings, from every file form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tf } from '../tf.ts';
import { PYTHON } from '../weights/fixtures/python.ts';
import { readWeights } from '../weights/read.ts';
import { nodeModules, type NodeModules } from '../zoo/fixtures/nodeModules.ts';
import { CLIP_CONFIGS, clipParameterShapes } from './config.ts';
import { encodeImage, encodeText } from './model.ts';
import { ClipTokenizer } from './tokenizer.ts';
import { loadClipWeights, toHuggingFace, fromHuggingFace } from './weights.ts';

interface Reference {
  texts: string[];
  ids: number[][];
  image: number[];
  imageEmbeddings: number[];
  textEmbeddings: number[];
  vocabSize: number;
}

let node: NodeModules;
let dir = '';
let ref: Reference;
const file = (name: string): Uint8Array => new Uint8Array(node.fs.readFileSync(`${dir}/${name}`));
const text = (name: string): string => new TextDecoder().decode(file(name));

beforeAll(async () => {
  await tf.setBackend('cpu');
  node = await nodeModules();
  dir = node.fs.mkdtempSync(`${node.os.tmpdir()}/tubelet-clip-`);
  const script = decodeURIComponent(new URL('./fixtures/torch_clip.py', import.meta.url).pathname);
  ref = JSON.parse(
    node.cp.execFileSync(PYTHON, [script, dir], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1 << 26 }),
  ) as Reference;
}, 150_000);
afterAll(() => {
  if (dir) node.fs.rmSync(dir, { recursive: true, force: true });
});

function maxRelErr(got: Float32Array | Int32Array | Uint8Array, want: readonly number[]): number {
  const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const err = want.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] ?? NaN))), 0);
  expect(got.length).toBe(want.length);
  return err / scale;
}

describe('CLIP tokenizer equals the reference BPE', () => {
  it('merges.txt, merges.txt.gz and vocab.json + merges.txt give the reference ids (77, truncated)', async () => {
    const fromMerges = ClipTokenizer.fromMergesText(text('merges.txt'));
    const fromGz = await ClipTokenizer.fromGzip(file('merges.txt.gz'));
    const fromVocab = ClipTokenizer.fromMergesText(text('merges.txt'), text('vocab.json'));
    expect(fromMerges.encoder.size).toBe(ref.vocabSize);
    for (const tok of [fromMerges, fromGz, fromVocab]) {
      ref.texts.forEach((t, i) => expect([...tok.tokenize(t)], JSON.stringify(t)).toEqual(ref.ids[i]));
    }
    const long = ref.ids[5] ?? [];
    expect(long[76]).toBe(fromMerges.eot); // > 77 tokens: cut, EOT forced last
    expect(() => fromMerges.tokenize(ref.texts[5] ?? '', { truncate: false })).toThrow(/over 77/);
  });

  it('a tokenizer.json (HF layout) gives the same ids on text without HTML entities', () => {
    const vocab = JSON.parse(text('vocab.json')) as Record<string, number>;
    const merges = text('merges.txt').split('\n').slice(1).filter(Boolean);
    const tok = ClipTokenizer.fromTokenizerJson(JSON.stringify({ model: { type: 'BPE', vocab, merges } }));
    ref.texts.forEach((t, i) => {
      if (!t.includes('&')) expect([...tok.tokenize(t)]).toEqual(ref.ids[i]);
    });
  });
});

describe('CLIP equals its PyTorch twin (cpu)', () => {
  it('OpenAI names: image and text embeddings within 1e-4 relative, fused and composed attention', async () => {
    const state = await readWeights(file('openai.pth'), 'openai.pth');
    const { weights, report } = loadClipWeights(state);
    try {
      expect(report.config).toEqual({ ...CLIP_CONFIGS.tiny, vocabSize: ref.vocabSize });
      expect(report.loaded.length).toBe(clipParameterShapes(report.config).size);
      const tok = ClipTokenizer.fromMergesText(text('merges.txt'));
      const ids = tok.tokenizeAll(ref.texts);
      const images = tf.tensor4d(ref.image, [2, 32, 32, 3]);
      for (const attention of ['fused', 'composed'] as const) {
        const before = tf.memory().numTensors;
        const img = encodeImage(weights, images, { attention });
        const txt = encodeText(weights, ids, { attention });
        const [ei, et] = [
          maxRelErr(await img.data(), ref.imageEmbeddings),
          maxRelErr(await txt.data(), ref.textEmbeddings),
        ];
        console.log(
          `CLIP tiny (${attention}): image ${ei.toExponential(2)}, text ${et.toExponential(2)} max rel. error`,
        );
        expect(ei).toBeLessThan(1e-4);
        expect(et).toBeLessThan(1e-4);
        tf.dispose([img, txt]);
        expect(tf.memory().numTensors).toBe(before);
      }
      images.dispose();
    } finally {
      weights.dispose();
    }
  }, 60_000);

  it('the Hugging Face-named copy loads (q/k/v joined) and gives the same embeddings', async () => {
    const hf = await readWeights(file('hf.pth'), 'hf.pth');
    const { weights, report } = loadClipWeights(hf);
    try {
      expect(report.source).toBe('huggingface');
      expect(report.ignored).toEqual(['text_model.embeddings.position_ids']);
      const images = tf.tensor4d(ref.image, [2, 32, 32, 3]);
      const img = encodeImage(weights, images);
      const ids = ClipTokenizer.fromMergesText(text('merges.txt')).tokenizeAll(ref.texts);
      const txt = encodeText(weights, ids);
      expect(maxRelErr(await img.data(), ref.imageEmbeddings)).toBeLessThan(1e-4);
      expect(maxRelErr(await txt.data(), ref.textEmbeddings)).toBeLessThan(1e-4);
      tf.dispose([img, txt, images]);
    } finally {
      weights.dispose();
    }
    // OpenAI → HF → OpenAI is the identity on names and values
    const openai = await readWeights(file('openai.pth'), 'openai.pth');
    const back = fromHuggingFace(toHuggingFace(openai));
    expect(new Set(back.keys())).toEqual(new Set(openai.keys()));
    const key = 'visual.transformer.resblocks.1.attn.in_proj_weight';
    expect([...(back.get(key)?.data ?? [])]).toEqual([...(openai.get(key)?.data ?? [])]);
  }, 60_000);

  it('the load report names missing, unexpected and mis-shaped keys', async () => {
    const state = await readWeights(file('openai.pth'), 'openai.pth');
    state.delete('ln_final.bias');
    state.set('extra.weight', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const proj = state.get('visual.proj');
    if (proj) state.set('visual.proj', { ...proj, shape: [64, 128] });
    expect(() => loadClipWeights(state)).toThrow(/does not match/);
    const { weights, report } = loadClipWeights(state, { strict: false });
    weights.dispose();
    expect(report.missing).toEqual(['ln_final.bias']);
    expect(report.unexpected).toEqual(['extra.weight']);
    expect(report.mismatched).toEqual([{ key: 'visual.proj', expected: [128, 64], got: [64, 128] }]);
  });

  it('published configs have OpenAI parameter counts', () => {
    const count = (c: (typeof CLIP_CONFIGS)[keyof typeof CLIP_CONFIGS]): number =>
      [...clipParameterShapes(c).values()].reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0);
    expect(count(CLIP_CONFIGS['ViT-B/32'])).toBe(151_277_313);
    expect(count(CLIP_CONFIGS['ViT-B/16'])).toBe(149_620_737);
    expect(count(CLIP_CONFIGS['ViT-L/14'])).toBe(427_616_513);
  });
});
