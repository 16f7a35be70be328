// The Datasets drop zone (main thread): folders and files by drag-and-drop, an "Open folder" button (directory
// picker where the browser has it, else a folder <input>), handing the walked file list to the scan action.
import { useRef } from 'react';
import { useDropZone } from '../common/useDropZone.ts';
import { reportError } from '../../state/actions.ts';
import { hasDirectoryPicker, scanDrop, scanInput, scanPickedDirectory } from '../../state/datasetActions.ts';

export function DropZone({ busy }: { busy: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const drop = useDropZone((data) => {
    if (!busy) scanDrop(data.items).catch(reportError);
  });

  const openFolder = (): void => {
    if (!hasDirectoryPicker()) {
      input.current?.click();
      return;
    }
    scanPickedDirectory().catch(reportError);
  };

  return (
    <div {...drop} data-testid="dataset-dropzone">
      <p className="dropzone__title">Drop a dataset folder here</p>
      <p className="muted">
        UCF101, HMDB51, Kinetics, Something-Something v2, a folder per class, or MMAction2 video / rawframe
        lists. Only the list files are read now; videos are read when you ingest.
      </p>
      <button type="button" className="button" disabled={busy} onClick={openFolder}>
        Open folder…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        multiple
        data-testid="dataset-folder-input"
        {...{ webkitdirectory: '' }}
        onChange={(e) => {
          const list = e.currentTarget.files;
          if (list && list.length > 0) scanInput(list).catch(reportError);
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}
