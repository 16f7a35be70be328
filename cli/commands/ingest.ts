// `tubelet ingest PATH...` and `tubelet datasets` (Node): walks the named folders/files, hands exactly those
// files to the page as disk-backed File objects (a hidden file input, read lazily), and runs the
// ingest-dataset / list-datasets / list-videos jobs.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Outcome } from '../../src/client/automation.ts';
import type { DatasetFormat } from '../../src/shared/datasets.ts';
import { formatError } from '../../src/shared/errors.ts';
import type {
  IngestDatasetResult,
  JobEvent,
  StoredDatasetSummary,
  StoredVideoSummary,
} from '../../src/shared/protocol.ts';
import type { IngestFormat } from '../args.ts';
import { CliError } from '../errors.ts';
import type { StudioSession } from '../session.ts';

const FORMATS: Record<IngestFormat, DatasetFormat | undefined> = {
  auto: undefined,
  ucf101: 'ucf101',
  hmdb51: 'hmdb51',
  kinetics: 'kinetics',
  ssv2: 'sthv2',
  folders: 'folder-per-class',
  list: 'video-list',
};

export interface LocalFile {
  readonly abs: string;
  /** '/'-separated path as a drop of the named folder would give it (folder name first). */
  readonly rel: string;
  readonly size: number;
}

/** Every file under the named paths (folders recursively, hidden entries skipped), in path order. */
export function collectFiles(paths: readonly string[]): LocalFile[] {
  if (paths.length === 0) throw new CliError('ingest needs at least one folder or file: tubelet ingest DIR');
  const out: LocalFile[] = [];
  const walk = (abs: string, rel: string): void => {
    const stat = statSync(abs);
    if (stat.isDirectory()) {
      for (const name of readdirSync(abs).sort()) {
        if (!name.startsWith('.')) walk(path.join(abs, name), `${rel}/${name}`);
      }
    } else if (stat.isFile()) {
      out.push({ abs, rel, size: stat.size });
    }
  };
  for (const p of paths) {
    const abs = path.resolve(p);
    try {
      statSync(abs);
    } catch {
      throw new CliError(`${p} does not exist.`);
    }
    walk(abs, path.basename(abs));
  }
  if (out.length === 0) throw new CliError(`No files under ${paths.join(', ')}.`);
  return out;
}

export interface IngestRequest {
  readonly files: readonly LocalFile[];
  readonly format: IngestFormat;
  readonly split: 1 | 2 | 3 | undefined;
  readonly shortSide: number;
  readonly name: string | undefined;
}

/** The summary `tubelet ingest --json` prints. */
export interface IngestOutput {
  readonly dataset: string;
  readonly name: string;
  readonly videos_ok: number;
  readonly videos_failed: number;
  readonly videos_skipped: number;
  readonly failures: readonly { file: string; code: string; reason: string; message: string }[];
  readonly frames: number;
  readonly bytes: number;
  readonly frames_this_run: number;
  readonly seconds: number;
  readonly frames_per_s: number;
}

const FILE_INPUT_ID = '__tubelet-cli-files';

/**
 * Hands the named files to the page as disk-backed File objects, the way a file picker does: Chromium reads
 * their bytes from disk only when the ingest worker slices them, so nothing is copied into page memory first
 * and a dataset larger than RAM can be ingested. Order is kept (checked by name in the page).
 */
async function attachFiles(session: StudioSession, files: readonly LocalFile[]): Promise<void> {
  await session.page.evaluate((id) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.multiple = true;
    input.id = id;
    input.hidden = true;
    document.body.append(input);
  }, FILE_INPUT_ID);
  await session.page.setInputFiles(
    `#${FILE_INPUT_ID}`,
    files.map((f) => f.abs),
  );
}

export async function ingest(
  session: StudioSession,
  request: IngestRequest,
  onEvent: (event: JobEvent) => void,
): Promise<IngestOutput> {
  await session.page.exposeFunction('__tubeletCliEvent', onEvent);
  const format = FORMATS[request.format];
  await attachFiles(session, request.files);
  const outcome: Outcome<IngestDatasetResult> = await session.page.evaluate(
    async ({ rels, inputId, spec }) => {
      const handle = window.__tubelet;
      if (!handle) throw new Error('automation handle missing');
      const relay = (window as unknown as { __tubeletCliEvent: (e: JobEvent) => void }).__tubeletCliEvent;
      const input = document.getElementById(inputId);
      const picked = input instanceof HTMLInputElement ? input.files : null;
      if (!picked || picked.length !== rels.length) {
        throw new Error(`the page holds ${picked?.length ?? 0} of the ${rels.length} named files`);
      }
      const refs = rels.map((rel, i) => {
        const file = picked[i];
        if (!file || file.name !== rel.split('/').pop()) throw new Error(`file ${i} is not ${rel}`);
        return { path: rel, file };
      });
      input?.remove();
      return handle.runJob({ kind: 'ingest-dataset', files: refs, ...spec }, (e) => {
        relay(e);
      });
    },
    {
      rels: request.files.map((f) => f.rel),
      inputId: FILE_INPUT_ID,
      spec: {
        shortSide: request.shortSide,
        ...(format === undefined ? {} : { format }),
        ...(request.split === undefined ? {} : { fold: request.split }),
        ...(request.name === undefined ? {} : { name: request.name }),
      },
    },
  );
  if (!outcome.ok) throw new CliError(`ingest failed: ${formatError(outcome.error)}`);
  const r = outcome.value;
  return {
    dataset: r.dataset,
    name: r.name,
    videos_ok: r.videosOk,
    videos_failed: r.videosFailed,
    videos_skipped: r.videosSkipped,
    failures: r.failures.map((f) => ({ file: f.file, code: f.code, reason: f.reason, message: f.message })),
    frames: r.frames,
    bytes: r.bytes,
    frames_this_run: r.framesThisRun,
    seconds: Math.round(r.seconds * 1000) / 1000,
    frames_per_s: Math.round(r.framesPerSecond * 10) / 10,
  };
}

export function formatIngest(r: IngestOutput): string {
  const lines = [
    `${r.name} (${r.dataset}): ${r.videos_ok} videos stored (${r.videos_skipped} already there), ${r.videos_failed} failed`,
    `  ${r.frames} frames, ${(r.bytes / 2 ** 20).toFixed(1)} MiB; this run ${r.frames_this_run} frames in ${r.seconds.toFixed(1)} s (${r.frames_per_s} frames/s)`,
  ];
  for (const f of r.failures) lines.push(`  FAILED ${f.file}: [${f.code}/${f.reason}] ${f.message}`);
  return lines.join('\n');
}

export async function listDatasets(session: StudioSession): Promise<readonly StoredDatasetSummary[]> {
  const outcome: Outcome<readonly StoredDatasetSummary[]> = await session.page.evaluate(async () => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-datasets' });
  });
  if (!outcome.ok) throw new CliError(`datasets failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

export function formatDatasets(list: readonly StoredDatasetSummary[]): string {
  if (list.length === 0) return 'No stored datasets. Ingest one with: tubelet ingest DIR';
  return list
    .map((d) => {
      const splits = Object.entries(d.perSplit)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([s, n]) => `${s} ${n}`)
        .join(', ');
      const classes = d.classes.map((c, i) => `${c} ${d.perClass[i] ?? 0}`).join(', ');
      return [
        `${d.name} (${d.id}, ${d.format}, short side ${d.shortSide}, ${d.status})`,
        `  ${d.videosDone}/${d.videoCount} videos stored, ${d.videosFailed} failed, ${d.frames} frames, ${(d.bytes / 2 ** 20).toFixed(1)} MiB`,
        `  classes: ${classes || '(none)'}`,
        `  splits: ${splits || '(none)'}`,
      ].join('\n');
    })
    .join('\n');
}

export async function listVideos(
  session: StudioSession,
  datasetId: string,
): Promise<readonly StoredVideoSummary[]> {
  const outcome: Outcome<readonly StoredVideoSummary[]> = await session.page.evaluate(async (id) => {
    const handle = window.__tubelet;
    if (!handle) throw new Error('automation handle missing');
    return handle.runJob({ kind: 'list-videos', datasetId: id });
  }, datasetId);
  if (!outcome.ok)
    throw new CliError(`datasets --dataset ${datasetId} failed: ${formatError(outcome.error)}`);
  return outcome.value;
}

export function formatVideos(list: readonly StoredVideoSummary[]): string {
  if (list.length === 0) return 'The dataset has no videos.';
  return list
    .map(
      (v) =>
        `${v.file}: ${v.status}, ${v.frames} frames (source ${v.sourceFrames}), ${v.width}×${v.height}, ${v.codec || '?'} in ${v.container || '?'}, chunks ${v.storedChunks}/${v.chunkCount}`,
    )
    .join('\n');
}

export type DatasetWithVideos = StoredDatasetSummary & { readonly videos: readonly StoredVideoSummary[] };

/** Every stored dataset with its videos (`tubelet datasets --videos`). */
export async function listDatasetsWithVideos(session: StudioSession): Promise<DatasetWithVideos[]> {
  const out: DatasetWithVideos[] = [];
  for (const d of await listDatasets(session)) out.push({ ...d, videos: await listVideos(session, d.id) });
  return out;
}

export function formatDatasetsWithVideos(list: readonly DatasetWithVideos[]): string {
  if (list.length === 0) return formatDatasets(list);
  return list
    .map((d) => `${formatDatasets([d])}\n${formatVideos(d.videos).replace(/^/gm, '    ')}`)
    .join('\n');
}
