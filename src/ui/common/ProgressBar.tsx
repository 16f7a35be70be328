// A labelled progress bar (main thread).

export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-label={label}
      aria-valuenow={Math.round(fraction * 100)}
    >
      <div className="progress__fill" style={{ width: `${fraction * 100}%` }} />
      <span className="progress__label">{label}</span>
    </div>
  );
}
