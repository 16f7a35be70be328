// The HOG CPU reference against scikit-image itself, run at test time through Debian's /usr/bin/python3 (Node).
// Fails (never skips) when python3 or python3-skimage is missing.
/// <reference types="node" />
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../parity.ts';
import { hogOutputShape, hogRef, type HogBinning } from './hog.ref.ts';
import { hogTestImages } from './hog.testImages.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hog_skimage.py');
const INSTALL_HINT =
  "The HOG parity test needs Debian's scikit-image for /usr/bin/python3: run `apt-get install python3-skimage`.";

interface SkimageImage {
  name: string;
  height: number;
  width: number;
  data: number[];
  features: number[];
}

interface SkimageRun {
  readonly version: string;
  readonly images: SkimageImage[];
}

let dir = '';
let run: SkimageRun | Error | null = null;

/** Runs the script once; every test calls this, so a missing skimage fails each test (never skips). */
function skimage(): SkimageRun {
  run ??= (() => {
    try {
      return runSkimage();
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  })();
  if (run instanceof Error) throw run;
  return run;
}

function runSkimage(): SkimageRun {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} not found. ${INSTALL_HINT}`);
  dir = mkdtempSync(path.join(tmpdir(), 'tubelet-hog-'));
  const input = path.join(dir, 'in.json');
  const output = path.join(dir, 'out.json');
  const ours = hogTestImages(2024).map((img) => ({ ...img, data: Array.from(img.data) }));
  writeFileSync(input, JSON.stringify({ images: ours }));
  try {
    execFileSync(PYTHON, [SCRIPT, input, output, '7'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
  } catch (cause) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`hog_skimage.py failed: ${stderr || String(cause)}\n${INSTALL_HINT}`, { cause });
  }
  const parsed = JSON.parse(readFileSync(output, 'utf8')) as { skimage: string; images: SkimageImage[] };
  return { version: parsed.skimage, images: parsed.images };
}

function compare(img: SkimageImage, binning: HogBinning): number {
  const dims = { batch: 1, height: img.height, width: img.width };
  const ours = hogRef(Float32Array.from(img.data), dims, { binning });
  expect(ours.length).toBe(img.features.length);
  return maxAbsDiff(ours, img.features);
}

// The first test to run spawns Python (seconds on a busy machine), hence the generous timeout.
describe('hog.ref vs scikit-image (run at test time)', { timeout: 120_000 }, () => {
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('ran scikit-image 0.19.x on TypeScript- and numpy-generated frames', () => {
    const { version, images } = skimage();
    expect(version).toMatch(/^0\.19\./);
    expect(images.length).toBeGreaterThanOrEqual(15);
    expect(images.some((img) => img.name.startsWith('numpy:'))).toBe(true);
  });

  it('drops partial cells like skimage (output floor(H/8)×floor(W/8))', () => {
    const { images } = skimage();
    for (const img of images) {
      const shape = hogOutputShape({ batch: 1, height: img.height, width: img.width });
      expect(img.features.length, img.name).toBe(shape.reduce((a, b) => a * b, 1));
    }
    expect(images.some((img) => img.height % 8 !== 0 || img.width % 8 !== 0)).toBe(true);
  });

  it('matches skimage within 1e-4 with skimage binning', () => {
    for (const img of skimage().images) expect(compare(img, 'skimage'), img.name).toBeLessThanOrEqual(1e-4);
  });

  it("matches skimage within 1e-4 with the GPU kernel's f32 cross-product binning", () => {
    for (const img of skimage().images) expect(compare(img, 'f32-cross'), img.name).toBeLessThanOrEqual(1e-4);
  });

  it('has non-trivial features (not all zero, L2-normalised cells)', () => {
    const { images } = skimage();
    const img = images.find((i) => i.name.startsWith('numpy:ramp')) ?? images[0];
    if (!img) throw new Error('no images');
    const cells = img.features.length / 9;
    let unit = 0;
    for (let c = 0; c < cells; c++) {
      const n = img.features.slice(c * 9, c * 9 + 9).reduce((s, v) => s + v * v, 0);
      if (Math.abs(n - 1) < 1e-3) unit++;
    }
    expect(unit).toBeGreaterThan(cells / 2);
  });
});
