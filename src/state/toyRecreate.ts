// Re-creating the built-in Toy Actions dataset from the UI (main thread): delete it, then build it afresh.
import { createToyActions } from './toyActions.ts';
import { deleteDataset } from './ingestActions.ts';
import { studioStore } from './store.ts';

/** The frame-store id of the built-in Toy Actions dataset. */
export const TOY_DATASET_ID = 'toy-actions';

/** Creates Toy Actions, or when `recreate` deletes the stored one first; the store lists it afterwards. */
export async function createOrRecreateToyActions(recreate: boolean): Promise<void> {
  if (studioStore.getState().toyActions.jobId !== null) return;
  if (recreate) await deleteDataset(TOY_DATASET_ID);
  await createToyActions();
}
