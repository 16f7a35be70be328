// Import weights (main thread): pick the architecture and the checkpoint's naming, then drop (or choose) a
// .safetensors / .pth / .pt / .pyth file; the model is stored under the name given.
import { useRef, useState } from 'react';
import { useDropZone } from '../common/useDropZone.ts';
import { WEIGHT_SOURCES, type WeightSource } from '../../shared/modelIo.ts';
import type { ModelSummary } from '../../shared/protocol.ts';
import { importWeightsFile } from '../../state/modelActions.ts';
import { reportError } from '../../state/actions.ts';

const stem = (fileName: string): string =>
  fileName.replace(/\.[^.]+$/, '').replace(/[^\w.:-]+/g, '_') || 'model';

export function ImportCard({ zoo, busy }: { zoo: readonly ModelSummary[]; busy: boolean }) {
  const [arch, setArch] = useState('r3d_18');
  const [from, setFrom] = useState<WeightSource>('torchvision');
  const [name, setName] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const archs = zoo.flatMap((m) => [m.name, `${m.name}:tiny`]);

  const start = (file: File | undefined): void => {
    if (!file || busy) return;
    importWeightsFile(file, {
      arch,
      from,
      name: name || `${stem(file.name)}-${arch.replace(':', '-')}`,
    }).catch(reportError);
  };
  const drop = useDropZone((data) => {
    start(data.files[0]);
  });

  return (
    <div {...drop} data-testid="weights-dropzone">
      <p className="dropzone__title">Drop a weights file here</p>
      <p className="muted">
        .safetensors, .pth / .pt / .pyth written by torch.save, or a Tubelet bundle. Pickles are read by a
        restricted reader that never runs code; training checkpoints are unwrapped. Keys that do not match are
        reported, not loaded.
      </p>
      <div className="row">
        <label>
          Architecture{' '}
          <select
            value={arch}
            data-testid="import-arch"
            onChange={(e) => {
              setArch(e.currentTarget.value);
            }}
          >
            {archs.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          Names from{' '}
          <select
            value={from}
            data-testid="import-from"
            onChange={(e) => {
              setFrom(e.currentTarget.value as WeightSource);
            }}
          >
            {WEIGHT_SOURCES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Store as{' '}
          <input
            value={name}
            placeholder="file name + arch"
            data-testid="import-name"
            onChange={(e) => {
              setName(e.currentTarget.value);
            }}
          />
        </label>
        <button type="button" className="button" disabled={busy} onClick={() => input.current?.click()}>
          Choose file…
        </button>
      </div>
      <input
        ref={input}
        type="file"
        hidden
        accept=".safetensors,.pth,.pt,.pyth,.bin,.ckpt,.zip"
        data-testid="weights-input"
        onChange={(e) => {
          start(e.currentTarget.files?.[0]);
          e.currentTarget.value = '';
        }}
      />
    </div>
  );
}
