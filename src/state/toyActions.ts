// Actions for the built-in Toy Actions dataset (main thread): created in the background on first start, with
// its progress in the store. The worker job is idempotent, so asking again when it exists costs one lookup.
import { studioStore } from './store.ts';
import { reportError, requireClient } from './actions.ts';
import { refreshDatasetStorage, refreshStoredDatasets } from './ingestActions.ts';

/**
 * Whether the studio makes Toy Actions by itself on start: `?toy=1` / `?toy=0` decide; otherwise yes, unless
 * the browser is automated (the CLI and e2e tests ask for it explicitly, and benchmarks need a quiet worker).
 */
export function shouldAutoCreateToy(search: string, webdriver: boolean): boolean {
  const asked = new URLSearchParams(search).get('toy');
  if (asked === '1' || asked === 'true') return true;
  if (asked === '0' || asked === 'false') return false;
  return !webdriver;
}

const setToy = (patch: Partial<ReturnType<typeof studioStore.getState>['toyActions']>): void => {
  studioStore.setState((s) => ({ toyActions: { ...s.toyActions, ...patch } }));
};

/** Runs the toy-actions job (creating or completing the dataset); errors go to the error centre. */
export async function createToyActions(): Promise<void> {
  if (studioStore.getState().toyActions.jobId !== null) return;
  let lastStorage = 0;
  const job = requireClient().startJob({ kind: 'toy-actions' }, (event) => {
    if (event.type !== 'progress') return;
    if (event.stage === 'encode') setToy({ encoded: event.done, total: event.total });
    else if (event.stage === 'ingest') setToy({ ingested: event.done, total: event.total });
    // the storage figures follow the frames being stored, every 2 s at most
    if (event.stage === 'ingest' && Date.now() - lastStorage > 2000) {
      lastStorage = Date.now();
      void refreshDatasetStorage();
    }
  });
  setToy({ jobId: job.id, encoded: 0, ingested: 0, total: 0, result: null });
  try {
    setToy({ result: await job.result });
  } catch (error) {
    reportError(error);
  } finally {
    setToy({ jobId: null });
    await Promise.all([refreshStoredDatasets(), refreshDatasetStorage()]);
  }
}

/** First start: makes Toy Actions in the background once the studio is ready (see shouldAutoCreateToy). */
export async function autoCreateToyActions(): Promise<void> {
  if (studioStore.getState().status !== 'ready') return;
  if (!shouldAutoCreateToy(window.location.search, navigator.webdriver)) return;
  await createToyActions();
}
