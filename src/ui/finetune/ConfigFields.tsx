// Form fields of the Finetune config editor (main thread): a labelled number, select or checkbox bound to one
// path of the draft, showing that path's validation message under it.
import type { ReactNode } from 'react';
import type { TrainConfig } from '../../shared/trainConfig.ts';
import { getIn, numberFrom, setIn, type ConfigPath } from './configEdit.ts';

export interface FieldContext {
  readonly draft: TrainConfig;
  readonly errors: ReadonlyMap<string, string>;
  readonly disabled: boolean;
  readonly onChange: (next: TrainConfig) => void;
}

const key = (path: ConfigPath): string => path.join('.');

/** A config key whose narrow column may wrap it after an underscore ("frame_" / "interval"), never mid-word. */
function breakable(label: string): ReactNode {
  const parts = label.split('_');
  return parts.map((p, i) => (
    <span key={i}>
      {p}
      {i < parts.length - 1 ? (
        <>
          _<wbr />
        </>
      ) : null}
    </span>
  ));
}

function Field({
  label,
  path,
  ctx,
  children,
}: {
  label: string;
  path: ConfigPath;
  ctx: FieldContext;
  children: ReactNode;
}) {
  const error = ctx.errors.get(key(path));
  return (
    <label className={error ? 'form-field form-field--bad' : 'form-field'} data-field={key(path)}>
      <span className="form-field__label">{breakable(label)}</span>
      {children}
      {error ? (
        <span className="form-field__error" role="alert">
          {error}
        </span>
      ) : null}
    </label>
  );
}

export function NumberField({
  label,
  path,
  ctx,
  step = 'any',
}: {
  label: string;
  path: ConfigPath;
  ctx: FieldContext;
  step?: string;
}) {
  const value = getIn(ctx.draft, path);
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
  return (
    <Field label={label} path={path} ctx={ctx}>
      <input
        type="number"
        step={step}
        value={text}
        disabled={ctx.disabled}
        aria-invalid={ctx.errors.has(key(path))}
        onChange={(e) => {
          ctx.onChange(setIn(ctx.draft, path, numberFrom(e.target.value)));
        }}
      />
    </Field>
  );
}

export function SelectField({
  label,
  path,
  ctx,
  options,
  onSelect,
}: {
  label: string;
  path: ConfigPath;
  ctx: FieldContext;
  options: readonly string[];
  onSelect: (value: string) => void;
}) {
  const value = getIn(ctx.draft, path);
  return (
    <Field label={label} path={path} ctx={ctx}>
      <select
        value={typeof value === 'string' ? value : ''}
        disabled={ctx.disabled}
        onChange={(e) => {
          onSelect(e.target.value);
        }}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function CheckField({ label, path, ctx }: { label: string; path: ConfigPath; ctx: FieldContext }) {
  const value = getIn(ctx.draft, path);
  return (
    <Field label={label} path={path} ctx={ctx}>
      <input
        type="checkbox"
        checked={value === true}
        disabled={ctx.disabled}
        onChange={(e) => {
          ctx.onChange(setIn(ctx.draft, path, e.target.checked));
        }}
      />
    </Field>
  );
}
