// Writes the Toy Actions train and val splits as raw clips for the learnability check (Node, test-time only):
// OUT/{train,val}.u8 = u8[N, 32, 64, 64, 3] straight from the renderer (no codec), OUT/{split}.labels = u8[N].
// Usage: npx tsx scripts/toy-learnability/render.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Rng } from '../../src/shared/random.ts';
import { DEFAULT_TOY_CONFIG } from '../../src/data/toy/classes.ts';
import { planToyVideos } from '../../src/data/toy/layout.ts';
import { renderClip, sampleClipParams } from '../../src/data/toy/render.ts';

const outDir = process.argv[2] ?? 'toy-learnability';
mkdirSync(outDir, { recursive: true });
const { size, frames } = DEFAULT_TOY_CONFIG;
const videos = planToyVideos(DEFAULT_TOY_CONFIG, ['mp4']);
for (const split of ['train', 'val'] as const) {
  const mine = videos.filter((v) => v.split === split);
  const pixels = frames * size * size;
  const out = new Uint8Array(mine.length * pixels * 3);
  mine.forEach((v, n) => {
    const rgba = renderClip(sampleClipParams(new Rng(v.seed), size, frames), v.label);
    for (let i = 0; i < pixels; i++) out.set(rgba.subarray(i * 4, i * 4 + 3), (n * pixels + i) * 3);
  });
  writeFileSync(path.join(outDir, `${split}.u8`), out);
  writeFileSync(path.join(outDir, `${split}.labels`), Uint8Array.from(mine.map((v) => v.label)));
  process.stdout.write(`${split}: ${mine.length} clips\n`);
}
