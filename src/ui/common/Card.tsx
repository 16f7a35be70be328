// A titled section card (main thread).
import type { ReactNode } from 'react';

export function Card({
  title,
  actions,
  children,
  testId,
  wide = false,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  return (
    <section className={wide ? 'card card--wide' : 'card'} data-testid={testId}>
      <header className="card__header">
        <h2>{title}</h2>
        {actions ? <div className="card__actions">{actions}</div> : null}
      </header>
      <div className="card__body">{children}</div>
    </section>
  );
}
