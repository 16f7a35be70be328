// Datasets panel: a UCF101-style folder picked through the folder input is detected, parsed and summarised.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, screenshot, test } from './fixtures.ts';

function makeUcfFolder(): string {
  const root = path.join(mkdtempSync(path.join(os.tmpdir(), 'tubelet-ucf-')), 'UCF101');
  const lists = path.join(root, 'ucfTrainTestlist');
  mkdirSync(lists, { recursive: true });
  const classes = ['ApplyEyeMakeup', 'Archery'];
  writeFileSync(
    path.join(lists, 'classInd.txt'),
    classes.map((c, i) => `${i + 1} ${c}`).join('\r\n') + '\r\n',
  );
  const train: string[] = [];
  const test: string[] = [];
  classes.forEach((c, i) => {
    mkdirSync(path.join(root, 'UCF-101', c), { recursive: true });
    for (let g = 1; g <= 3; g++) {
      const name = `v_${c}_g0${g}_c01.avi`;
      writeFileSync(path.join(root, 'UCF-101', c, name), 'RIFF0000AVI LIST');
      (g < 3 ? train : test).push(g < 3 ? `${c}/${name} ${i + 1}` : `${c}/${name}`);
    }
  });
  train.push('Archery/v_Archery_g09_c01.avi 2'); // listed but not in the folder
  for (const fold of [1, 2, 3]) {
    writeFileSync(path.join(lists, `trainlist0${fold}.txt`), train.join('\n') + '\n');
    writeFileSync(path.join(lists, `testlist0${fold}.txt`), test.join('\n') + '\n');
  }
  return root;
}

test('a dropped UCF101 folder is detected, split and checked against its lists', async ({ page }) => {
  await page.goto('/#/datasets');
  await expect(page.getByTestId('dataset-dropzone')).toBeVisible();
  await page.getByTestId('dataset-folder-input').setInputFiles(makeUcfFolder());
  await expect(page.getByTestId('dataset-summary')).toBeVisible();
  await expect(page.getByTestId('dataset-format')).toHaveValue('ucf101');
  await expect(page.getByTestId('dataset-classes')).toHaveText('2');
  await expect(page.getByTestId('dataset-videos')).toHaveText('7');
  const splits = page.getByTestId('dataset-splits');
  await expect(splits.locator('tbody tr')).toHaveCount(3);
  await expect(splits.locator('tbody tr').first()).toContainText(/1\s*5\s*0\s*2/);
  await expect(page.getByTestId('dataset-issues')).toContainText('VIDEO_MISSING');
  await screenshot(page, 'datasets-ucf101');

  // Choosing another format by hand re-parses the same drop.
  await page.getByTestId('dataset-format').selectOption('folder-per-class');
  await expect(page.getByTestId('dataset-format')).toHaveValue('folder-per-class');
  await expect(page.getByTestId('dataset-videos')).toHaveText('6');
});
