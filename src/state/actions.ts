// Module-level actions (main thread): the only code that calls the worker client and writes the store.
import { serializeError, type SerializedError } from '../shared/errors.ts';
import type { SystemEvent } from '../shared/protocol.ts';
import type { TubeletClient } from '../client/workerClient.ts';
import { requestPersistentStorage } from '../client/storage.ts';
import { PANELS, studioStore, type PanelId } from './store.ts';

let client: TubeletClient | null = null;
let nextErrorId = 1;

export function requireClient(): TubeletClient {
  if (!client) throw new Error('The studio client is not bound yet');
  return client;
}

export function reportError(error: unknown): void {
  const entry = { ...serializeError(error), id: nextErrorId++, at: Date.now() };
  studioStore.setState((s) => ({ errors: [...s.errors.slice(-9), entry] }));
}

export function dismissError(id: number): void {
  studioStore.setState((s) => ({ errors: s.errors.filter((e) => e.id !== id) }));
}

export function dismissAllErrors(): void {
  studioStore.setState({ errors: [] });
}

export function navigate(panel: PanelId): void {
  studioStore.setState({ panel });
  if (typeof window !== 'undefined' && window.location.hash !== `#/${panel}`) {
    window.history.replaceState(null, '', `#/${panel}`);
  }
}

export function panelFromHash(hash: string): PanelId | null {
  const name = hash.replace(/^#\/?/, '');
  return (PANELS as readonly string[]).includes(name) ? (name as PanelId) : null;
}

function onSystemEvent(event: SystemEvent): void {
  if (event.type === 'device-restored') {
    studioStore.setState((s) => ({
      deviceLost: false,
      init: s.init ? { ...s.init, gpu: event.gpu } : s.init,
    }));
    return;
  }
  if (event.type === 'device-lost') studioStore.setState({ deviceLost: true });
  reportError(event.error);
}

const UNSUPPORTED: readonly SerializedError['code'][] = ['WEBGPU_UNAVAILABLE', 'ADAPTER_NOT_FOUND'];

/** Binds the client and initialises the worker (GPU device + TF.js), then loads the doctor report. */
export async function startStudio(boundClient: TubeletClient): Promise<void> {
  client = boundClient;
  client.onSystemEvent(onSystemEvent);
  studioStore.setState({ status: 'starting', startupError: null });
  try {
    const init = await client.init();
    studioStore.setState({ status: 'ready', init });
  } catch (error) {
    const serialized = serializeError(error);
    studioStore.setState({
      status: UNSUPPORTED.includes(serialized.code) ? 'unsupported' : 'failed',
      startupError: serialized,
    });
    return;
  }
  await refreshDoctor();
}

export async function refreshDoctor(): Promise<void> {
  studioStore.setState({ doctorLoading: true });
  try {
    studioStore.setState({ doctor: await requireClient().doctor() });
  } catch (error) {
    reportError(error);
  } finally {
    studioStore.setState({ doctorLoading: false });
  }
}

export async function runSelfTest(spec: { m: number; n: number; k: number; seed: number }): Promise<void> {
  const job = requireClient().startJob({ kind: 'selftest', ...spec }, (event) => {
    if (event.type === 'progress') {
      studioStore.setState((s) => ({
        selfTest: { ...s.selfTest, stage: event.stage, done: event.done, total: event.total },
      }));
    }
  });
  studioStore.setState({ selfTest: { jobId: job.id, stage: 'starting', done: 0, total: 1, result: null } });
  try {
    const result = await job.result;
    studioStore.setState((s) => ({ selfTest: { ...s.selfTest, jobId: null, result } }));
  } catch (error) {
    studioStore.setState((s) => ({ selfTest: { ...s.selfTest, jobId: null, stage: null } }));
    reportError(error);
  }
}

export async function cancelSelfTest(): Promise<void> {
  const { jobId } = studioStore.getState().selfTest;
  if (jobId) await requireClient().cancelJob(jobId);
}

export async function persistStorage(): Promise<void> {
  try {
    const granted = await requestPersistentStorage();
    if (!granted) {
      reportError({
        code: 'STORAGE_UNAVAILABLE',
        message: 'The browser declined to make storage persistent.',
        hint: 'Chrome grants it to installed or frequently used sites; bookmarking the studio also helps.',
      });
    }
  } catch (error) {
    reportError(error);
  }
  await refreshDoctor();
}
