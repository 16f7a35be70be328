// The one place errors are shown (main thread): coded, dismissable, with the hint that says what to do.
import { dismissError } from '../../state/actions.ts';
import { useStudio } from '../../state/store.ts';

export function ErrorCenter() {
  const errors = useStudio((s) => s.errors);
  if (errors.length === 0) return null;
  return (
    <div className="errors" role="alert" aria-live="assertive" data-testid="error-center">
      {errors.map((e) => (
        <div key={e.id} className="errors__item">
          <div>
            <code className="errors__code">{e.code}</code> {e.message}
            {e.hint ? <div className="errors__hint">{e.hint}</div> : null}
          </div>
          <button
            type="button"
            className="button button--ghost"
            aria-label="Dismiss"
            onClick={() => {
              dismissError(e.id);
            }}
          >
            ✕
          </button>
        </div>
      ))}
    </div>
  );
}
