// `tubelet doctor`: what the studio's worker reports about the browser, GPU, codecs and storage (Node).
import type { DoctorReport } from '../../src/shared/protocol.ts';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

export interface DoctorOutput extends DoctorReport {
  readonly tubelet: string;
  readonly browser: { readonly executable: string; readonly version: string; readonly adapterMode: string };
  readonly profileDir: string;
}

export async function doctor(session: StudioSession, profileDir: string): Promise<DoctorOutput> {
  const outcome: Outcome<DoctorReport> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.doctor();
  });
  if (!outcome.ok) throw new CliError(`doctor failed: ${formatError(outcome.error)}`);
  const tubelet = await session.page.evaluate(() => window.__tubelet?.version ?? 'unknown');
  return {
    tubelet,
    browser: { executable: session.executable, version: session.browserVersion, adapterMode: session.mode },
    profileDir,
    ...outcome.value,
  };
}

const yes = (b: boolean): string => (b ? 'yes' : 'no');

export function formatDoctor(r: DoctorOutput): string {
  const lines = [
    `Tubelet ${r.tubelet}`,
    `Browser    ${r.browser.version} (${r.browser.executable}, ${r.browser.adapterMode} mode)`,
    `Adapter    ${[r.gpu.vendor, r.gpu.architecture, r.gpu.device, r.gpu.description].filter(Boolean).join(' · ')}` +
      (r.gpu.isFallbackAdapter ? ' (software fallback)' : ''),
    `Features   ${['timestamp-query', 'subgroups', 'shader-f16'].map((f) => `${f}: ${yes(r.gpu.features.includes(f))}`).join(', ')}`,
    `TF.js      ${r.tf.version} on ${r.tf.backend}, shares our device: ${yes(r.tf.sharesDevice)}`,
    'Limits',
    ...Object.entries(r.gpu.limits).map(([k, v]) => `  ${k.padEnd(36)} ${v}`),
    'Codecs     decode / encode',
    ...r.codecs.map(
      (c) => `  ${c.name.padEnd(6)} ${c.codec.padEnd(18)} ${yes(c.decode).padEnd(4)} / ${yes(c.encode)}`,
    ),
    `Storage    ${r.storage.usageBytes ?? '?'} of ${r.storage.quotaBytes ?? '?'} bytes, persistent: ${String(r.storage.persisted)}`,
    `Profile    ${r.profileDir}`,
  ];
  return lines.join('\n');
}
