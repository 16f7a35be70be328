// tubelet import / predict / export against real PyTorch: Debian's torchvision r3d_18 (seeded random weights, BN
// with random statistics) written as safetensors is imported, run on its 1×3×4×32×32 input, exported and strictly
// loaded back into torch; malicious and mistaken inputs fail with a message naming the file and what to do.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cliRunner, expectClose, python } from './cliRunner.ts';

const TORCH_ZOO = 'src/models/zoo/fixtures/torch_zoo.py';
const profile = mkdtempSync(path.join(os.tmpdir(), 'tubelet-modelcli-'));
const fx = path.join(profile, 'fixtures');
const tubelet = cliRunner(profile, 170_000);
function expectTorchClose(ours: readonly number[], torch: readonly number[]): void {
  expectClose(ours, torch, 1e-4, 1e-4);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(() => {
  execFileSync('mkdir', ['-p', fx]);
  python(TORCH_ZOO, 'make', fx, 'r3d_18:4:32:32');
});

test.afterAll(() => {
  rmSync(profile, { recursive: true, force: true });
});

test('r3d_18 from PyTorch: import, predict --input-tensor, export, load_state_dict(strict=True)', async () => {
  test.setTimeout(600_000);
  const expected = JSON.parse(readFileSync(path.join(fx, 'expected.json'), 'utf8')) as {
    models: { r3d_18: { logits: number[] } };
  };
  const torchLogits = expected.models.r3d_18.logits;

  const imported = await tubelet(
    'import',
    path.join(fx, 'r3d_18.safetensors'),
    '--arch',
    'r3d_18',
    '--name',
    'r3d-torch',
    '--json',
  );
  expect(imported.code, imported.stderr).toBe(0);
  const result = JSON.parse(imported.stdout) as {
    params: number;
    report: { loaded: number; missing: string[]; unexpected: string[]; mismatched: unknown[] };
  };
  expect(result.params).toBe(33_371_472);
  expect(result.report).toMatchObject({ loaded: 122, missing: [], unexpected: [], mismatched: [] });

  const predicted = await tubelet(
    'predict',
    '--model',
    'r3d-torch',
    '--input-tensor',
    path.join(fx, 'r3d_18.input.safetensors'),
    '--topk',
    '3',
    '--json',
  );
  expect(predicted.code, predicted.stderr).toBe(0);
  const p = JSON.parse(predicted.stdout) as {
    model: string;
    logits: number[][];
    probabilities: number[][];
    topk: { index: number; label: string | null; prob: number }[][];
  };
  expect(p.model).toBe('r3d-torch');
  expect(p.logits).toHaveLength(1);
  expectTorchClose(p.logits[0] ?? [], torchLogits);
  const probs = p.probabilities[0] ?? [];
  expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  const best = torchLogits.indexOf(Math.max(...torchLogits));
  expect(p.topk[0]?.map((t) => t.index)[0]).toBe(best);
  expect(p.topk[0]).toHaveLength(3);

  const out = path.join(fx, 'exported', 'r3d.safetensors');
  const exported = await tubelet(
    'export',
    '--model',
    'r3d-torch',
    '--format',
    'safetensors',
    '--out',
    out,
    '--json',
  );
  expect(exported.code, exported.stderr).toBe(0);
  expect(existsSync(out)).toBe(true);
  const back = JSON.parse(python(TORCH_ZOO, 'check', fx, 'r3d_18', out)) as { logits: number[] };
  expectTorchClose(back.logits, torchLogits);
});

// MMAction2's ResNet3d names for torchvision's r3d_18 keys, written independently of src/models/weights/keyMaps.ts.
const TO_MMACTION2 = `
import re, sys, torch
sys.path.insert(0, "src/models/zoo/fixtures")
from torch_zoo import read_safetensors
def rename(k):
    k = re.sub(r"^stem\\.0\\.", "conv1.conv.", k)
    k = re.sub(r"^stem\\.1\\.", "conv1.bn.", k)
    k = re.sub(r"\\.(conv[12]|downsample)\\.0\\.", r".\\1.conv.", k)
    k = re.sub(r"\\.(conv[12]|downsample)\\.1\\.", r".\\1.bn.", k)
    return "cls_head.fc_cls." + k[3:] if k.startswith("fc.") else "backbone." + k
sd = {rename(k): v for k, v in read_safetensors(sys.argv[1]).items()}
opt = {"state": {"0": {"momentum_buffer": torch.zeros(3)}}, "param_groups": [{"lr": 0.1, "momentum": 0.9}]}
torch.save({"meta": {"epoch": 3}, "state_dict": sd, "optimizer": opt}, sys.argv[2])
`;

test("an MMAction2 training checkpoint (.pth, nested, MMAction2 names) gives torch's logits", async () => {
  test.setTimeout(600_000);
  const pth = path.join(fx, 'r3d_mmaction2.pth');
  python('-c', TO_MMACTION2, path.join(fx, 'r3d_18.safetensors'), pth);
  const expected = JSON.parse(readFileSync(path.join(fx, 'expected.json'), 'utf8')) as {
    models: { r3d_18: { logits: number[] } };
  };
  const args = ['import', pth, '--arch', 'r3d_18', '--from', 'mmaction2', '--json'];
  const imported = await tubelet(...args, '--name', 'r3d-mm');
  expect(imported.code, imported.stderr).toBe(0);
  const report = (JSON.parse(imported.stdout) as { report: Record<string, unknown> }).report;
  expect(report).toMatchObject({ loaded: 122, missing: [], unexpected: [], mismatched: [] });
  expect(report.unwrap).toBe("took 'state_dict', dropped optimizer (1), kept 122 tensors");
  const predicted = await tubelet(
    'predict',
    '--model',
    'r3d-mm',
    '--input-tensor',
    path.join(fx, 'r3d_18.input.safetensors'),
    '--json',
  );
  expect(predicted.code, predicted.stderr).toBe(0);
  expectTorchClose(
    (JSON.parse(predicted.stdout) as { logits: number[][] }).logits[0] ?? [],
    expected.models.r3d_18.logits,
  );

  // A new classifier for another dataset: the head is reported, not loaded.
  const head = await tubelet(...args, '--name', 'r3d-mm-10', '--num-classes', '10');
  expect(head.code, head.stderr).toBe(0);
  const r = (
    JSON.parse(head.stdout) as {
      report: { loaded: number; mismatched: { key: string; expected: number[]; got: number[] }[] };
    }
  ).report;
  expect(r.loaded).toBe(120);
  expect(r.mismatched).toEqual([
    { key: 'fc.weight', expected: [10, 512], got: [400, 512] },
    { key: 'fc.bias', expected: [10], got: [400] },
  ]);
});

test('export --format tfjs writes model.json and its weight shards', async () => {
  const dir = path.join(fx, 'tfjs');
  const exported = await tubelet(
    'export',
    '--model',
    'r3d_18:tiny',
    '--format',
    'tfjs',
    '--out',
    dir,
    '--json',
  );
  expect(exported.code, exported.stderr).toBe(0);
  const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as {
    modelTopology: { arch: string };
    weightsManifest: { paths: string[]; weights: { name: string }[] }[];
  };
  expect(json.modelTopology.arch).toBe('r3d_18');
  const paths = json.weightsManifest[0]?.paths ?? [];
  expect(paths.length).toBeGreaterThan(0);
  expect(readdirSync(dir).sort()).toEqual(['model.json', ...paths].sort());
  expect(json.weightsManifest[0]?.weights.map((w) => w.name)).toContain('fc.weight');
});

test('a bundle exported by the CLI imports back with every key loaded', async () => {
  const bundle = path.join(fx, 'tiny.tubelet.zip');
  const exported = await tubelet('export', '--model', 'r3d_18:tiny', '--format', 'bundle', '--out', bundle);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stdout).toContain(bundle);
  const imported = await tubelet('import', bundle, '--arch', 'r3d_18:tiny', '--name', 'tiny-again', '--json');
  expect(imported.code, imported.stderr).toBe(0);
  const r = JSON.parse(imported.stdout) as { numClasses: number; report: Record<string, unknown> };
  expect(r.numClasses).toBe(400);
  expect(r.report).toMatchObject({ missing: [], unexpected: [], mismatched: [] });
});

test('predict on a video: the centre clip of an H.264 MP4 through r3d_18:tiny', async () => {
  const video = path.join(fx, 'clip.mp4');
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25', '-t', '1'],
    ...['-pix_fmt', 'yuv420p', '-c:v', 'libx264', video],
  ]);
  const r = await tubelet('predict', video, '--model', 'r3d_18:tiny', '--topk', '4', '--json');
  expect(r.code, r.stderr).toBe(0);
  const p = JSON.parse(r.stdout) as {
    logits: number[][];
    probabilities: number[][];
    topk: { prob: number }[][];
  };
  expect(p.logits.map((row) => row.length)).toEqual([400]);
  expect(p.logits[0]?.every(Number.isFinite)).toBe(true);
  expect(p.probabilities[0]?.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  const probs = p.topk[0]?.map((t) => t.prob) ?? [];
  expect(probs).toHaveLength(4);
  expect([...probs].sort((a, b) => b - a)).toEqual(probs);
  expect(probs[0]).toBe(Math.max(...(p.probabilities[0] ?? [])));
});

test('a pickle naming os.system is refused, naming the file and the global', async () => {
  const evil = path.join(fx, 'evil.pth');
  python(
    '-c',
    [
      'import os, sys, torch',
      'class Evil:',
      '    def __reduce__(self): return (os.system, ("echo pwned",))',
      'torch.save({"weight": torch.ones(2), "payload": Evil()}, sys.argv[1])',
    ].join('\n'),
    evil,
  );
  const r = await tubelet('import', evil, '--arch', 'r3d_18:tiny', '--name', 'evil');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    /\[WEIGHTS_UNSAFE\].*evil\.pth refers to 'posix\.system', which Tubelet will not execute/,
  );
  expect(r.stderr).not.toMatch(/pwned/);
});

test('mistakes name the value and what to do', async () => {
  const unknown = await tubelet(
    'import',
    path.join(fx, 'r3d_18.safetensors'),
    '--arch',
    'r4d_99',
    '--name',
    'x',
  );
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toMatch(/unknown architecture 'r4d_99'.*the zoo has r3d_18/);

  const notWeights = await tubelet(
    'import',
    path.join(fx, 'expected.json'),
    '--arch',
    'r3d_18',
    '--name',
    'x',
  );
  expect(notWeights.code).toBe(1);
  expect(notWeights.stderr).toMatch(
    /expected\.json.*is neither a safetensors file nor a torch\.save checkpoint/,
  );

  const missing = await tubelet('import', path.join(fx, 'nope.pth'), '--arch', 'r3d_18', '--name', 'x');
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/nope\.pth does not exist/);

  const format = await tubelet('export', '--model', 'r3d_18', '--format', 'onnx', '--out', fx);
  expect(format.code).toBe(2);
  expect(format.stderr).toMatch(/--format must be one of bundle, safetensors, tfjs for export, got 'onnx'/);

  const noModel = await tubelet(
    'predict',
    '--model',
    'nobody',
    '--input-tensor',
    path.join(fx, 'r3d_18.input.safetensors'),
  );
  expect(noModel.code).toBe(1);
  expect(noModel.stderr).toMatch(/no imported model or zoo architecture is named 'nobody'/);
});
