// Entry of the compute worker (module worker): exposes the WorkerApi over comlink.
import * as Comlink from 'comlink';
import { createWorkerApi } from './api.ts';

Comlink.expose(
  createWorkerApi({
    transfer: (value, transferables) => Comlink.transfer(value, transferables),
    release: (callback) => {
      const remote = callback as Partial<Record<typeof Comlink.releaseProxy, () => void>>;
      remote[Comlink.releaseProxy]?.();
    },
  }),
);
