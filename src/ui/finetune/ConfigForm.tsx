// The Finetune config editor (main thread): clip sampling, batch, optimizer, schedule, augmentation and seed as
// forms over the draft, each field showing its own zod message; problems of fields without a form are listed.
import type { ConfigProblem, TrainConfig } from '../../shared/trainConfig.ts';
import {
  problemsByPath,
  withCrop,
  withDecay,
  withOptimizer,
  type CropKind,
  type DecayKind,
  type OptimizerKind,
} from './configEdit.ts';
import { CheckField, NumberField, SelectField, type FieldContext } from './ConfigFields.tsx';

const SHOWN = new Set([
  'data.clipLen',
  'data.frameInterval',
  'data.numClips',
  'data.cropSize',
  'batchSize',
  'gradAccumSteps',
  'epochs',
  'optimizer.kind',
  'optimizer.lr',
  'optimizer.weightDecay',
  'optimizer.momentum',
  'schedule.warmupEpochs',
  'schedule.decay.kind',
  'schedule.decay.minLr',
  'augmentation.crop.kind',
  'augmentation.flipProb',
  'augmentation.colorJitter.prob',
  'augmentation.grayscaleProb',
  'seed',
  'linearProbe',
]);

export interface ConfigFormProps {
  readonly draft: TrainConfig;
  readonly problems: readonly ConfigProblem[];
  readonly disabled: boolean;
  readonly onChange: (next: TrainConfig) => void;
}

export function ConfigForm({ draft, problems, disabled, onChange }: ConfigFormProps) {
  const { byPath, other } = problemsByPath(problems, SHOWN);
  const ctx: FieldContext = { draft, errors: byPath, disabled, onChange };
  const o = draft.optimizer;
  const jitter = draft.augmentation.colorJitter;
  return (
    <div className="config-form" data-testid="config-form">
      <fieldset>
        <legend>Clips</legend>
        <NumberField label="clip_len" path={['data', 'clipLen']} ctx={ctx} step="1" />
        <NumberField label="frame_interval" path={['data', 'frameInterval']} ctx={ctx} step="1" />
        <NumberField label="num_clips" path={['data', 'numClips']} ctx={ctx} step="1" />
        <NumberField label="crop size (px)" path={['data', 'cropSize']} ctx={ctx} step="1" />
      </fieldset>
      <fieldset>
        <legend>Batch and length</legend>
        <NumberField label="batch size" path={['batchSize']} ctx={ctx} step="1" />
        <NumberField label="grad accumulation" path={['gradAccumSteps']} ctx={ctx} step="1" />
        <NumberField label="epochs" path={['epochs']} ctx={ctx} step="1" />
        <CheckField label="linear probe" path={['linearProbe']} ctx={ctx} />
      </fieldset>
      <fieldset>
        <legend>Optimizer</legend>
        <SelectField
          label="optimizer"
          path={['optimizer', 'kind']}
          ctx={ctx}
          options={['sgd', 'adamw', 'lars']}
          onSelect={(v) => {
            onChange(withOptimizer(draft, v as OptimizerKind));
          }}
        />
        <NumberField label="learning rate" path={['optimizer', 'lr']} ctx={ctx} />
        <NumberField label="weight decay" path={['optimizer', 'weightDecay']} ctx={ctx} />
        {o.kind !== 'adamw' ? (
          <NumberField label="momentum" path={['optimizer', 'momentum']} ctx={ctx} />
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Schedule</legend>
        <NumberField label="warmup epochs" path={['schedule', 'warmupEpochs']} ctx={ctx} />
        <SelectField
          label="decay"
          path={['schedule', 'decay', 'kind']}
          ctx={ctx}
          options={['cosine', 'multistep', 'constant']}
          onSelect={(v) => {
            onChange(withDecay(draft, v as DecayKind));
          }}
        />
        {draft.schedule.decay.kind === 'cosine' ? (
          <NumberField label="min lr" path={['schedule', 'decay', 'minLr']} ctx={ctx} />
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Augmentation</legend>
        <SelectField
          label="crop"
          path={['augmentation', 'crop', 'kind']}
          ctx={ctx}
          options={['random-resized', 'multi-scale', 'jitter-scale', 'center']}
          onSelect={(v) => {
            onChange(withCrop(draft, v as CropKind));
          }}
        />
        <NumberField label="flip prob" path={['augmentation', 'flipProb']} ctx={ctx} />
        <NumberField label="grayscale prob" path={['augmentation', 'grayscaleProb']} ctx={ctx} />
        {jitter ? (
          <NumberField label="colour jitter prob" path={['augmentation', 'colorJitter', 'prob']} ctx={ctx} />
        ) : null}
        <NumberField label="seed" path={['seed']} ctx={ctx} step="1" />
      </fieldset>
      {other.length > 0 ? (
        <ul className="form-problems" data-testid="config-problems">
          {other.map((p) => (
            <li key={p.path}>
              <code>{p.path}</code>: {p.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
