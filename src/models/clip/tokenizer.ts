// CLIP's byte-level BPE tokenizer (OpenAI simple_tokenizer semantics: html-unescape + whitespace collapse +
// lower-case, GPT-2 byte table, `</w>` end-of-word merges, <|startoftext|>/<|endoftext|>, 77-id padding with 0),
// loaded from user files only: merges.txt / bpe_simple_vocab_16e6.txt(.gz), vocab.json + merges.txt, tokenizer.json.
import { TubeletError } from '../../shared/errors.ts';

export const SOT = '<|startoftext|>';
export const EOT = '<|endoftext|>';
const PATTERN = /<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|\p{L}+|\p{N}|[^\s\p{L}\p{N}]+/giu;

/** GPT-2's reversible byte → printable-character table. */
function byteTable(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const table: string[] = new Array<string>(256);
  for (const b of keep) table[b] = String.fromCodePoint(b);
  let n = 0;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(256 + n++);
  return table;
}
const BYTES = byteTable();
/** The byte characters in OpenAI's vocabulary order (printable bytes first, then the shifted ones). */
function byteVocab(): string[] {
  const order: number[] = [];
  for (let b = 0; b < 256; b++) if (BYTES[b]?.codePointAt(0) === b) order.push(b);
  for (let b = 0; b < 256; b++) if (BYTES[b]?.codePointAt(0) !== b) order.push(b);
  return order.map((b) => BYTES[b] ?? '');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function unescapeHtml(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body.startsWith('#')) {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body] ?? whole;
  });
}

export type CleanMode = 'openai' | 'huggingface';

/** OpenAI: html-unescape twice, strip, collapse whitespace, lower-case. Hugging Face: NFC, collapse, lower-case. */
export function cleanText(text: string, mode: CleanMode = 'openai'): string {
  const t = mode === 'openai' ? unescapeHtml(unescapeHtml(text)) : text.normalize('NFC');
  return t.replace(/\s+/gu, ' ').trim().toLowerCase();
}

export interface TokenizeOptions {
  /** default 77 */
  readonly contextLength?: number;
  /** default true: cut to contextLength keeping <|endoftext|> last; false throws INVALID_ARGUMENT when too long */
  readonly truncate?: boolean;
}

export class ClipTokenizer {
  readonly encoder: ReadonlyMap<string, number>;
  private readonly ranks = new Map<string, number>();
  private readonly cache = new Map<string, string[]>();
  readonly sot: number;
  readonly eot: number;

  constructor(
    vocab: ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
    readonly clean: CleanMode = 'openai',
  ) {
    this.encoder = vocab;
    merges.forEach(([a, b], i) => this.ranks.set(`${a} ${b}`, i));
    const sot = vocab.get(SOT);
    const eot = vocab.get(EOT);
    if (sot === undefined || eot === undefined)
      throw new TubeletError('WEIGHTS_MALFORMED', `CLIP vocabulary lacks ${SOT} or ${EOT}`);
    this.sot = sot;
    this.eot = eot;
  }

  /** OpenAI's layout from merges alone: 256 bytes, 256 bytes + `</w>`, one id per merge, then SOT and EOT. */
  static fromMerges(merges: readonly (readonly [string, string])[]): ClipTokenizer {
    const bytes = byteVocab();
    const list = [...bytes, ...bytes.map((b) => `${b}</w>`), ...merges.map(([a, b]) => a + b), SOT, EOT];
    return new ClipTokenizer(new Map(list.map((v, i) => [v, i])), merges);
  }

  /** merges.txt / bpe_simple_vocab_16e6.txt text (a `#version` header line is skipped). */
  static fromMergesText(text: string, vocabJson?: string): ClipTokenizer {
    const merges = parseMerges(text.split('\n'));
    if (vocabJson === undefined) return ClipTokenizer.fromMerges(merges);
    return new ClipTokenizer(parseVocab(JSON.parse(vocabJson) as unknown), merges);
  }

  /** OpenAI's gzip-compressed vocabulary file (bpe_simple_vocab_16e6.txt.gz). */
  static async fromGzip(bytes: Uint8Array): Promise<ClipTokenizer> {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return ClipTokenizer.fromMergesText(await new Response(stream).text());
  }

  /** A Hugging Face tokenizer.json (BPE model with vocab and merges); cleaning follows its normaliser (no unescape). */
  static fromTokenizerJson(json: string): ClipTokenizer {
    const parsed = JSON.parse(json) as { model?: { type?: string; vocab?: unknown; merges?: unknown } };
    const model = parsed.model;
    if (!model || model.type !== 'BPE' || !Array.isArray(model.merges))
      throw new TubeletError('WEIGHTS_MALFORMED', 'tokenizer.json: expected a BPE model with merges');
    const lines = (model.merges as unknown[]).map((m) => (Array.isArray(m) ? m.join(' ') : String(m)));
    return new ClipTokenizer(parseVocab(model.vocab), parseMerges(lines, false), 'huggingface');
  }

  private bpe(token: string): string[] {
    const hit = this.cache.get(token);
    if (hit) return hit;
    const chars = Array.from(token);
    let word = [...chars.slice(0, -1), `${chars[chars.length - 1] ?? ''}</w>`];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) [bestRank, best] = [r, i];
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          next.push(`${a}${b}`);
          i++;
        } else next.push(word[i] ?? '');
      }
      word = next;
    }
    this.cache.set(token, word);
    return word;
  }

  /** Token ids of the text without SOT/EOT. */
  encode(text: string): number[] {
    const ids: number[] = [];
    const utf8 = new TextEncoder();
    for (const match of cleanText(text, this.clean).matchAll(PATTERN)) {
      const mapped = Array.from(utf8.encode(match[0]), (b) => BYTES[b] ?? '').join('');
      for (const piece of this.bpe(mapped)) {
        const id = this.encoder.get(piece);
        if (id === undefined) throw new TubeletError('WEIGHTS_MALFORMED', `CLIP vocabulary lacks "${piece}"`);
        ids.push(id);
      }
    }
    return ids;
  }

  /** [SOT, …ids, EOT] zero-padded to the context length (OpenAI's clip.tokenize). */
  tokenize(text: string, opts: TokenizeOptions = {}): Int32Array {
    const context = opts.contextLength ?? 77;
    const ids = [this.sot, ...this.encode(text), this.eot];
    if (ids.length > context) {
      if (opts.truncate === false)
        throw new TubeletError(
          'INVALID_ARGUMENT',
          `"${text.slice(0, 40)}…" is ${ids.length} tokens, over ${context}`,
        );
      ids.length = context;
      ids[context - 1] = this.eot;
    }
    const out = new Int32Array(context);
    out.set(ids);
    return out;
  }

  /** Several texts → i32[n·context] row-major. */
  tokenizeAll(texts: readonly string[], opts: TokenizeOptions = {}): Int32Array {
    const context = opts.contextLength ?? 77;
    const out = new Int32Array(texts.length * context);
    texts.forEach((t, i) => {
      out.set(this.tokenize(t, opts), i * context);
    });
    return out;
  }
}

function parseMerges(lines: readonly string[], header = true): [string, string][] {
  const body = header && lines[0]?.startsWith('#') ? lines.slice(1) : lines;
  const merges: [string, string][] = [];
  for (const line of body) {
    const t = line.replace(/\r$/, '');
    if (t === '') continue;
    const parts = t.split(' ');
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new TubeletError('WEIGHTS_MALFORMED', `CLIP merges: bad line "${t.slice(0, 40)}"`);
    merges.push([parts[0], parts[1]]);
  }
  return merges;
}

function parseVocab(value: unknown): Map<string, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TubeletError('WEIGHTS_MALFORMED', 'CLIP vocab: expected an object of token → id');
  const map = new Map<string, number>();
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'number') throw new TubeletError('WEIGHTS_MALFORMED', `CLIP vocab: "${k}" has no id`);
    map.set(k, v);
  }
  return map;
}
