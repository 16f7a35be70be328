// Models panel: the zoo with published parameter counts; a dropped safetensors file is imported into
// r3d_18:tiny with its load report (loaded, missing, unexpected, shape-mismatched); layers and a download.
import { readFileSync } from 'node:fs';
import { expect, screenshot, test } from './fixtures.ts';

/** A safetensors file of float32 tensors (8-byte header length, JSON header, little-endian data). */
function safetensors(tensors: Record<string, number[]>): Buffer {
  const header: Record<string, unknown> = {};
  const blobs: Buffer[] = [];
  let offset = 0;
  for (const [name, shape] of Object.entries(tensors)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Buffer.from(Float32Array.from({ length: n }, (_, i) => Math.sin(i)).buffer);
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    blobs.push(data);
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, Buffer.from(json), ...blobs]);
}

test('the zoo lists r3d_18; a dropped safetensors file shows its load report', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/#/models');
  const r3d = page.getByTestId('zoo-r3d_18');
  await expect(r3d.getByTestId('zoo-params')).toHaveText('33,371,472', { timeout: 240_000 });
  // The zoo's Layers view shows r3d_18's table (built with zero weights: shapes and counts only).
  await r3d.getByRole('button', { name: 'Layers' }).click();
  await expect(page.getByTestId('layers')).toContainText('Layers of r3d_18', { timeout: 60_000 });
  await expect(page.getByTestId('layers-table').locator('tbody tr').last()).toContainText(
    /fc\s*Linear\s*\[1, 400\]/,
  );
  await expect(page.getByTestId('layers')).toContainText('33,371,472 parameters');
  // A family filter and a search narrow the zoo.
  await page.getByTestId('zoo-search').fill('r2plus1d');
  await expect(page.getByTestId('zoo-r2plus1d_18')).toBeVisible();
  await expect(r3d).toHaveCount(0);
  await page.getByTestId('zoo-search').fill('');
  await expect(r3d).toBeVisible();

  // r3d_18:tiny is 8 wide at the stem and 64 wide at the head: one tensor fits, the head does not.
  const file = safetensors({ 'stem.0.weight': [8, 3, 3, 7, 7], 'fc.weight': [7, 10], 'extra.weight': [2] });
  await page.getByTestId('import-arch').selectOption('r3d_18:tiny');
  await page.getByTestId('import-name').fill('tiny-import');
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'small.safetensors'));
    return dt;
  }, file.toString('base64'));
  await page.getByTestId('weights-dropzone').dispatchEvent('drop', { dataTransfer });

  const report = page.getByTestId('load-report');
  await expect(report).toContainText('small.safetensors', { timeout: 120_000 });
  await expect(page.getByTestId('load-summary')).toContainText(
    'tiny-import (r3d_18:tiny, 7 classes): loaded 1 tensors',
  );
  await expect(page.getByTestId('load-summary')).toContainText('1 unexpected · 1 shape-mismatched');
  await expect(page.getByTestId('load-unexpected')).toContainText('extra.weight');
  await expect(page.getByTestId('load-missing')).toContainText('fc.bias');
  const mismatch = page.getByTestId('load-mismatched');
  await expect(mismatch).toContainText('fc.weight');
  await expect(mismatch).toContainText('[7, 64]');
  await expect(mismatch).toContainText('[7, 10]');
  await screenshot(page, 'models-load-report');

  const stored = page.getByTestId('stored-model-tiny-import');
  await expect(stored).toContainText('r3d_18:tiny');
  await stored.getByRole('button', { name: 'Layers' }).click();
  const layers = page.getByTestId('layers-table');
  await expect(layers.locator('tbody tr').first()).toContainText(
    /stem\.0\s*Conv3d\s*\[1, 16, 56, 56, 8\]\s*3,528/,
  );
  await expect(layers.locator('tbody tr').last()).toContainText(/fc\s*Linear\s*\[1, 7\]\s*455/);

  const download = page.waitForEvent('download');
  await stored.getByTestId('export-safetensors').click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe('tiny-import.safetensors');
  const bytes = readFileSync(await saved.path());
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString()) as Record<
    string,
    { shape: number[] }
  >;
  expect(header['stem.0.weight']?.shape).toEqual([8, 3, 3, 7, 7]);
  expect(header['fc.weight']?.shape).toEqual([7, 64]);
});
