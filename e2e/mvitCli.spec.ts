// tubelet import --from torchvision / predict --input-tensor / export for torchvision's MViTv2-S against Debian's
// PyTorch: the full 34.5 M-parameter mvit_v2_s (seeded, perturbed LayerNorms, strong rel-pos tables) on a 4×64×64
// clip (its rel-pos tables resized, as torchvision's _add_rel_pos does); the export loads back strictly into torch.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cliRunner, expectClose, python } from './cliRunner.ts';

const TORCH_MVIT = 'src/models/zoo/fixtures/torch_mvit.py';
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-mvitcli-'));
const fx = path.join(profile, 'fixtures');
const CLIP = ['4', '64', '64'];
const tubelet = cliRunner(profile, 400_000);
/** within 1e-3 of max |logit| (the bound) */
function expectTorchClose(ours: readonly number[], torch: readonly number[]): void {
  expectClose(ours, torch, 1e-3, 0);
}

test.beforeAll(() => {
  execFileSync('mkdir', ['-p', fx]);
  python(TORCH_MVIT, 'make', fx, 'mvit_v2_s', ...CLIP);
});

test.afterAll(() => {
  rmSync(profile, { recursive: true, force: true });
});

test('mvit_v2_s from torchvision: import --from torchvision, predict --input-tensor, export, strict reload', async () => {
  test.setTimeout(900_000);
  const torchLogits = (
    JSON.parse(readFileSync(path.join(fx, 'expected.json'), 'utf8')) as { logits: number[] }
  ).logits;
  const args = [
    'import',
    path.join(fx, 'mvit_v2_s.safetensors'),
    '--arch',
    'mvit_v2_s',
    '--from',
    'torchvision',
  ];
  const imported = await tubelet(...args, '--name', 'mvit-torch', '--json');
  expect(imported.code, imported.stderr).toBe(0);
  const result = JSON.parse(imported.stdout) as {
    params: number;
    report: { loaded: number; missing: string[]; unexpected: string[]; mismatched: unknown[] };
  };
  expect(result.params).toBe(34_537_744);
  expect(result.report).toMatchObject({ loaded: 397, missing: [], unexpected: [], mismatched: [] });

  const input = path.join(fx, 'mvit_v2_s.input.safetensors');
  const predicted = await tubelet('predict', '--model', 'mvit-torch', '--input-tensor', input, '--json');
  expect(predicted.code, predicted.stderr).toBe(0);
  const p = JSON.parse(predicted.stdout) as { logits: number[][] };
  expect(p.logits).toHaveLength(1);
  expectTorchClose(p.logits[0] ?? [], torchLogits);

  const out = path.join(fx, 'exported', 'mvit.safetensors');
  const exported = await tubelet('export', '--model', 'mvit-torch', '--format', 'safetensors', '--out', out);
  expect(exported.code, exported.stderr).toBe(0);
  const back = JSON.parse(python(TORCH_MVIT, 'check', fx, 'mvit_v2_s', ...CLIP, out)) as { logits: number[] };
  expectTorchClose(back.logits, torchLogits);
});
