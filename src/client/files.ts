// Main-thread side of getting a dataset in: walks dropped folders and picked directories into a flat list of
// lazily-read File handles with '/'-separated relative paths. Nothing is read or copied here.

export interface PickedFile {
  /** Path relative to the dropped or picked root, '/'-separated, e.g. `UCF-101/ApplyEyeMakeup/v_x.avi`. */
  readonly path: string;
  readonly file: File;
}

const SKIP = /(^|\/)(\.DS_Store|Thumbs\.db|desktop\.ini|\.git\/.*)$/;

interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
interface FileEntryLike extends EntryLike {
  file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirEntryLike extends EntryLike {
  createReader(): { readEntries(ok: (e: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

async function walkEntry(entry: EntryLike, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((ok, fail) => {
      (entry as FileEntryLike).file(ok, fail);
    });
    if (!SKIP.test(path)) out.push({ path, file });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as DirEntryLike).createReader();
  // readEntries returns at most ~100 entries per call: read until it returns none.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((ok, fail) => {
      reader.readEntries(ok, fail);
    });
    if (batch.length === 0) break;
    for (const child of batch) await walkEntry(child, path, out);
  }
}

/** Files and folders from a drop event, folders walked recursively. */
export async function filesFromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries: EntryLike[] = [];
  const loose: File[] = [];
  for (const item of Array.from(items)) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry() as EntryLike | null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  const out: PickedFile[] = loose.map((file) => ({ path: file.name, file }));
  for (const entry of entries) await walkEntry(entry, '', out);
  return sortByPath(out);
}

/** Files of an <input type="file" webkitdirectory> selection. */
export function filesFromInput(list: FileList): PickedFile[] {
  return sortByPath(
    Array.from(list)
      .map((file) => ({ path: file.webkitRelativePath || file.name, file }))
      .filter((f) => !SKIP.test(f.path)),
  );
}

interface DirHandleLike {
  readonly kind: 'directory';
  readonly name: string;
  values(): AsyncIterable<DirHandleLike | FileHandleLike>;
}
interface FileHandleLike {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
}

async function walkHandle(dir: DirHandleLike, prefix: string, out: PickedFile[]): Promise<void> {
  for await (const handle of dir.values()) {
    const path = `${prefix}/${handle.name}`;
    if (handle.kind === 'directory') await walkHandle(handle, path, out);
    else if (!SKIP.test(path)) out.push({ path, file: await handle.getFile() });
  }
}

/** The directory picker where the browser has it (Chrome); null when the user cancels. */
export async function pickDirectory(): Promise<PickedFile[] | null> {
  const picker = (window as unknown as { showDirectoryPicker?: () => Promise<DirHandleLike> })
    .showDirectoryPicker;
  if (!picker) return null;
  let root: DirHandleLike;
  try {
    root = await picker();
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
  const out: PickedFile[] = [];
  await walkHandle(root, root.name, out);
  return sortByPath(out);
}

export function hasDirectoryPicker(): boolean {
  return typeof (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker === 'function';
}

function sortByPath(files: PickedFile[]): PickedFile[] {
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
