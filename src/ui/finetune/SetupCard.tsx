// The Finetune panel's setup card (main thread): preset, dataset and model choice, config import/export, and
// the Train / Stop buttons with the run's status.
import { groupModels } from './modelGroups.ts';
import { useRef } from 'react';
import {
  choosePreset,
  importConfigText,
  startTraining,
  stopTraining,
  updateDraft,
} from '../../state/finetuneActions.ts';
import type { TrainStatus } from '../../state/finetuneSlice.ts';
import type { StoredDatasetSummary, TrainCatalog } from '../../shared/protocol.ts';
import type { TrainConfig } from '../../shared/trainConfig.ts';
import { Card } from '../common/Card.tsx';
import { downloadText } from '../common/download.ts';

export interface SetupCardProps {
  readonly catalog: TrainCatalog;
  readonly preset: string | null;
  readonly draft: TrainConfig;
  readonly datasets: readonly StoredDatasetSummary[];
  readonly valid: boolean;
  readonly status: TrainStatus;
  readonly busy: boolean;
  readonly run: string | null;
}

export function SetupCard({ catalog, preset, draft, datasets, valid, status, busy, run }: SetupCardProps) {
  const file = useRef<HTMLInputElement>(null);
  const ready = datasets.filter((d) => d.videosDone > 0);
  const known = ready.some((d) => d.id === draft.dataset || d.name === draft.dataset);
  return (
    <Card title="Run" testId="finetune-setup">
      <div className="setup-grid">
        <label className="form-field">
          <span className="form-field__label">preset</span>
          <select
            data-testid="preset-select"
            value={preset ?? ''}
            disabled={busy}
            onChange={(e) => {
              choosePreset(e.target.value);
            }}
          >
            {preset === null ? <option value="">(imported config)</option> : null}
            {Object.keys(catalog.presets).map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </label>
        <label className="form-field">
          <span className="form-field__label">dataset</span>
          <select
            data-testid="dataset-select"
            value={draft.dataset}
            disabled={busy}
            onChange={(e) => {
              updateDraft({ ...draft, dataset: e.target.value });
            }}
          >
            {known ? null : <option value={draft.dataset}>{draft.dataset} (not stored)</option>}
            {ready.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name} · {d.videosDone} videos · {d.classes.length} classes
              </option>
            ))}
          </select>
        </label>
        <label className="form-field">
          <span className="form-field__label">model</span>
          <select
            data-testid="model-select"
            value={draft.model}
            disabled={busy}
            onChange={(e) => {
              updateDraft({ ...draft, model: e.target.value });
            }}
          >
            {catalog.models.includes(draft.model) ? null : <option>{draft.model}</option>}
            {groupModels(catalog.models, catalog.modelFamilies).map((g) => (
              <optgroup key={g.family} label={g.family}>
                {g.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </label>
      </div>
      <div className="row">
        <button
          type="button"
          className="button"
          data-testid="train-start"
          disabled={busy || !valid || !known}
          onClick={() => void startTraining()}
        >
          Train
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="train-stop"
          disabled={!busy || status === 'stopping'}
          onClick={() => void stopTraining()}
        >
          Stop
        </button>
        <button
          type="button"
          className="button button--ghost"
          data-testid="config-export"
          disabled={!valid}
          onClick={() => {
            downloadText(`${draft.name}.json`, `${JSON.stringify(draft, null, 2)}\n`, 'application/json');
          }}
        >
          Export config
        </button>
        <button
          type="button"
          className="button button--ghost"
          disabled={busy}
          onClick={() => file.current?.click()}
        >
          Import config
        </button>
        <input
          ref={file}
          type="file"
          accept="application/json,.json"
          hidden
          data-testid="config-import"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void f.text().then(importConfigText);
          }}
        />
        <span className="muted small" data-testid="train-status" data-status={status}>
          {status}
          {run ? ` · ${run}` : ''}
        </span>
      </div>
      {!known ? (
        <p className="muted small">
          Dataset <code>{draft.dataset}</code> is not stored: choose one, or create Toy Actions.
        </p>
      ) : null}
    </Card>
  );
}
