// Test-only helpers: build a dropped-folder file list from strings (text files) and sizes (videos).
// Imported by the *.test.ts files of this folder only; Node (Vitest unit).
import type { DatasetIssueCode, DatasetManifest, DroppedFile, ManifestVideo } from '../../shared/datasets.ts';

/** Files from `{ path: text | byteSize }`: strings become readable text files, numbers opaque files. */
export function drop(entries: Readonly<Record<string, string | number>>): DroppedFile[] {
  return Object.entries(entries).map(([path, content]) =>
    typeof content === 'number'
      ? { path, size: content }
      : { path, size: new TextEncoder().encode(content).length, read: () => Promise.resolve(content) },
  );
}

/** Joins lines with LF (or CRLF) and a trailing line ending. */
export const lf = (...lines: string[]): string => `${lines.join('\n')}\n`;
export const crlf = (...lines: string[]): string => `${lines.join('\r\n')}\r\n`;

/** The video with this id; throws if absent so tests fail loudly. */
export function video(m: DatasetManifest, id: string): ManifestVideo {
  const v = m.videos.find((x) => x.id === id);
  if (!v) throw new Error(`no video ${id}; ids: ${m.videos.map((x) => x.id).join(', ')}`);
  return v;
}

/** Issues of one code, as [file, line] pairs (line omitted when absent). */
export function issuesOf(
  m: DatasetManifest,
  code: DatasetIssueCode,
): { file?: string; line?: number; message: string }[] {
  return m.issues
    .filter((i) => i.code === code)
    .map((i) => ({
      message: i.message,
      ...(i.file === undefined ? {} : { file: i.file }),
      ...(i.line === undefined ? {} : { line: i.line }),
    }));
}
