// `tubelet serve` (and `npm start`): builds if needed and serves the studio until interrupted (Node).
import { DIST_DIR, ensureBuilt } from '../build.ts';
import { serveStatic } from '../server.ts';
import { CliError } from '../errors.ts';
import { SOFTWARE_WEBGPU_FLAGS } from '../../src/shared/webgpuHelp.ts';

export async function serve(port: number, build: boolean, log: (line: string) => void): Promise<never> {
  if (build) await ensureBuilt(log);
  let server;
  try {
    server = await serveStatic(DIST_DIR, port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      code === 'EADDRINUSE'
        ? `Port ${port} is in use; pass --port N (or --port 0 for a free one).`
        : `Could not serve the studio: ${String(error)}`,
    );
  }
  process.stdout.write(`Tubelet studio: ${server.url}\n`);
  log(
    `Open it in Chrome or Edge with WebGPU. Without a GPU on Linux, start Chromium with ${SOFTWARE_WEBGPU_FLAGS}.`,
  );
  log('Press Ctrl+C to stop.');
  return new Promise<never>(() => {
    const stop = (): void => {
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
