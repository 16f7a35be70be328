// The automation handle (main thread): `window.__tubelet`, through which the CLI and e2e tests drive the
// studio. It forwards to the same client the UI uses, so automation has no second code path.
import type { DoctorReport, InitResult, JobEvent, JobResults, JobSpec } from '../shared/protocol.ts';
import { serializeError, type SerializedError } from '../shared/errors.ts';
import type { TubeletClient } from './workerClient.ts';

export type Outcome<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SerializedError };

export interface AutomationHandle {
  readonly version: string;
  init(): Promise<Outcome<InitResult>>;
  doctor(): Promise<Outcome<DoctorReport>>;
  /** Runs a job to its end; `onEvent` receives its progress events. */
  runJob<S extends JobSpec>(
    spec: S,
    onEvent?: (event: JobEvent) => void,
  ): Promise<Outcome<JobResults[S['kind']]>>;
}

declare global {
  interface Window {
    __tubelet?: AutomationHandle;
  }
}

async function settle<T>(work: Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await work };
  } catch (error) {
    return { ok: false, error: serializeError(error) };
  }
}

export function installAutomationHandle(client: TubeletClient, version: string): AutomationHandle {
  const handle: AutomationHandle = {
    version,
    init: () => settle(client.init()),
    doctor: () => settle(client.doctor()),
    runJob: (spec, onEvent) => settle(client.startJob(spec, onEvent).result),
  };
  window.__tubelet = handle;
  return handle;
}
