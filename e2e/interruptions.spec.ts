// A run interrupted from outside, trained from the Finetune panel on a small Toy Actions set (./finetuneDriver.ts):
// the GPU device is lost mid-run (the worker's `lose-device` job calls device.destroy(), which the browser reports
// as a real loss): the run stops with DEVICE_LOST naming it and how to resume; Resume re-creates the device and
// TF.js's backend and finishes from the last checkpoint.
// A full storage quota is tested one level down (src/worker/trainJob.browser.test.ts, real IndexedDB): DevTools'
// Storage.overrideQuotaForOrigin is accepted by this Chromium (156) but neither navigator.storage.estimate() (it
// reports usage + 10 GiB) nor IndexedDB writes honour it, so it cannot drive an end-to-end test here.
import { expect, test } from './fixtures.ts';
import {
  dismissErrors,
  expectStatus,
  openFinetuneOnSmallToy,
  runJob,
  runRow,
  useTinyConfig,
  waitForSteps,
} from './finetuneDriver.ts';

test.use({ actionTimeout: 60_000 });

test('a lost GPU device stops the run resumably, and Resume finishes it on a new device', async ({
  page,
}) => {
  test.setTimeout(600_000);
  await openFinetuneOnSmallToy(page);
  await useTinyConfig(page);
  await page.getByTestId('train-start').click();
  await waitForSteps(page, 5); // step 5 starts after the epoch-1 checkpoint is written

  expect(await runJob(page, { kind: 'lose-device' })).toEqual({ lost: true });
  await expectStatus(page, 'stopped', 120_000);
  const errors = page.getByTestId('error-center');
  await expect(errors).toContainText('DEVICE_LOST');
  await expect(errors).toContainText(/Training run \S+ stopped: The GPU device was lost/);
  await expect(errors).toContainText('tubelet train --resume');
  await expect(page.getByTestId('gpu-status')).toHaveText(/GPU device lost/);
  await expect(runRow(page)).toContainText('stopped');
  await expect(runRow(page)).toContainText(/[12] \/ 3/);
  await dismissErrors(page);

  await runRow(page).getByRole('button', { name: 'Resume' }).click();
  await expectStatus(page, 'finished');
  await expect(page.getByTestId('gpu-status')).not.toHaveText(/lost/);
  await expect(page.getByTestId('chart-loss')).toHaveAttribute('data-points', '12');
  await expect(runRow(page)).toContainText('finished');
  await expect(runRow(page)).toContainText('3 / 3');
});
