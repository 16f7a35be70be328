// The one place errors are shown (main thread): coded, dismissable, with the hint that says what to do. Only
// the newest few are shown, so a burst (a GPU error cascades into several) cannot cover the page's controls.
import { dismissAllErrors, dismissError } from '../../state/actions.ts';
import { useStudio } from '../../state/store.ts';

/** Errors shown at once; older ones are counted and can be dismissed together. */
export const SHOWN_ERRORS = 3;

export function ErrorCenter() {
  const errors = useStudio((s) => s.errors);
  if (errors.length === 0) return null;
  const hidden = errors.length - SHOWN_ERRORS;
  return (
    <div className="errors" role="alert" aria-live="assertive" data-testid="error-center">
      {hidden > 0 ? (
        <div className="errors__more" data-testid="error-center-more">
          <span>
            {hidden} earlier error{hidden === 1 ? '' : 's'}
          </span>
          <button type="button" className="button button--ghost" onClick={dismissAllErrors}>
            Dismiss all
          </button>
        </div>
      ) : null}
      {errors.slice(-SHOWN_ERRORS).map((e) => (
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
