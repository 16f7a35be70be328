// `tubelet import`, `tubelet predict` and `tubelet export` (Node): hand a local weights/video/tensor file to the
// page through the CLI's loopback server, run the import-model / predict / export-model jobs in the worker, and
// write exported files back to disk.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Outcome } from '../../src/client/automation.ts';
import { formatError } from '../../src/shared/errors.ts';
import type {
  ExportFormat,
  ImportModelResult,
  PredictResult,
  WeightSource,
} from '../../src/shared/modelIo.ts';
import { CliError, UsageError } from '../errors.ts';
import { LOCAL_FILE_PREFIX } from '../server.ts';
import type { StudioSession } from '../session.ts';

/** The absolute path of a file the user named; a clear error before any browser starts when it is not one. */
export function localFile(file: string | undefined, what: string): string {
  if (file === undefined || file === '') throw new UsageError(`${what} is missing`);
  const abs = path.resolve(file);
  let isFile: boolean;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    throw new CliError(`${file} does not exist (${what}).`);
  }
  if (!isFile) throw new CliError(`${file} is not a file (${what}).`);
  return abs;
}

export interface ImportRequest {
  readonly fileName: string;
  readonly arch: string;
  readonly from: WeightSource | undefined;
  readonly numClasses: number | undefined;
  readonly name: string;
}

/** Imports local file 0 (served at LOCAL_FILE_PREFIX + 0). */
export async function importWeights(
  session: StudioSession,
  request: ImportRequest,
): Promise<ImportModelResult> {
  const outcome: Outcome<ImportModelResult> = await session.page.evaluate(
    async ({ prefix, spec }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const response = await fetch(`${prefix}0`);
      if (!response.ok) throw new Error(`could not read ${spec.fileName} (HTTP ${response.status})`);
      return handle.runJob({ kind: 'import-model', file: await response.blob(), ...spec });
    },
    {
      prefix: LOCAL_FILE_PREFIX,
      spec: {
        fileName: request.fileName,
        arch: request.arch,
        name: request.name,
        ...(request.from === undefined ? {} : { from: request.from }),
        ...(request.numClasses === undefined ? {} : { numClasses: request.numClasses }),
      },
    },
  );
  if (!outcome.ok) throw new CliError(`import failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

const shape = (s: readonly number[]): string => `[${s.join(', ')}]`;

export function formatImport(r: ImportModelResult): string {
  const { report } = r;
  const lines = [
    `${r.name}: ${r.arch}, ${r.numClasses} classes, ${(r.params / 1e6).toFixed(2)} M params`,
    `  ${report.unwrap}`,
    `  loaded ${report.loaded} tensors; ${report.missing.length} missing, ${report.unexpected.length} unexpected, ${report.mismatched.length} shape-mismatched`,
  ];
  for (const k of report.missing) lines.push(`  missing (kept as initialised): ${k}`);
  for (const k of report.unexpected) lines.push(`  unexpected (ignored): ${k}`);
  for (const m of report.mismatched) {
    lines.push(
      `  shape mismatch (not loaded): ${m.key} is ${shape(m.expected)} here, ${shape(m.got)} in the file`,
    );
  }
  return lines.join('\n');
}

export interface PredictRequest {
  readonly model: string;
  /** local file 0 is a video, or a safetensors tensor */
  readonly input: 'video' | 'tensor';
  readonly fileName: string;
  readonly topk: number;
}

export async function predictClip(session: StudioSession, request: PredictRequest): Promise<PredictResult> {
  const outcome: Outcome<PredictResult> = await session.page.evaluate(
    async ({ prefix, r }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const response = await fetch(`${prefix}0`);
      if (!response.ok) throw new Error(`could not read ${r.fileName} (HTTP ${response.status})`);
      const file = await response.blob();
      return handle.runJob({
        kind: 'predict',
        model: r.model,
        topk: r.topk,
        input: { type: r.input, file, fileName: r.fileName },
      });
    },
    { prefix: LOCAL_FILE_PREFIX, r: request },
  );
  if (!outcome.ok) throw new CliError(`predict failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

export function formatPredict(r: PredictResult): string {
  return r.topk
    .map((rows, n) =>
      [
        `${r.model} clip ${n}:`,
        ...rows.map(
          (t) =>
            `  ${(100 * t.prob).toFixed(2).padStart(6)} %  class ${t.index}${t.label ? ` (${t.label})` : ''}`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

export interface ExportOutput {
  readonly model: string;
  readonly format: ExportFormat;
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
}

const PULL_BYTES = 8 << 20;

/** Runs the export job, then pulls each file out of the page in base64 pieces and writes it under `out`. */
export async function exportModelFiles(
  session: StudioSession,
  model: string,
  format: ExportFormat,
  out: string,
): Promise<ExportOutput> {
  type Meta = Outcome<{ name: string; size: number }[]>;
  const meta: Meta = await session.page.evaluate(
    async ({ model, format }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const outcome = await handle.runJob({ kind: 'export-model', model, format });
      if (!outcome.ok) return outcome;
      (window as unknown as { __tubeletExport: Blob[] }).__tubeletExport = outcome.value.files.map(
        (f) => new Blob([f.bytes as Uint8Array<ArrayBuffer>]),
      );
      return {
        ok: true,
        value: outcome.value.files.map((f) => ({ name: f.name, size: f.bytes.byteLength })),
      };
    },
    { model, format },
  );
  if (!meta.ok) throw new CliError(`export failed: ${formatError(meta.error)}`);
  const files = meta.value;
  const single = format !== 'tfjs' && files.length === 1;
  const isDir = (() => {
    try {
      return statSync(out).isDirectory();
    } catch {
      return false;
    }
  })();
  const dir = single && !isDir ? path.dirname(path.resolve(out)) : path.resolve(out);
  mkdirSync(dir, { recursive: true });
  const written: { path: string; bytes: number }[] = [];
  for (const [i, f] of files.entries()) {
    const target = single && !isDir ? path.resolve(out) : path.join(dir, f.name);
    const parts: Buffer[] = [];
    for (let start = 0; start < f.size; start += PULL_BYTES) {
      const b64 = await session.page.evaluate(
        async ({ i, start, end }) => {
          const blob = (window as unknown as { __tubeletExport: Blob[] }).__tubeletExport[i];
          if (!blob) throw new Error(`exported file ${i} is gone`);
          const url = await new Promise<string>((resolve, reject) => {
            const reader = new FileReader();
            reader.onload = () => {
              resolve(typeof reader.result === 'string' ? reader.result : '');
            };
            reader.onerror = () => {
              reject(new Error('could not read the exported file'));
            };
            reader.readAsDataURL(blob.slice(start, end));
          });
          return url.slice(url.indexOf(',') + 1);
        },
        { i, start, end: Math.min(f.size, start + PULL_BYTES) },
      );
      parts.push(Buffer.from(b64, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    if (bytes.byteLength !== f.size) throw new CliError(`export of ${f.name} came back truncated`);
    writeFileSync(target, bytes);
    written.push({ path: target, bytes: f.size });
  }
  return { model, format, files: written };
}

export function formatExport(r: ExportOutput): string {
  return [
    `${r.model} exported as ${r.format}:`,
    ...r.files.map((f) => `  ${f.path} (${(f.bytes / 2 ** 20).toFixed(2)} MiB)`),
  ].join('\n');
}
