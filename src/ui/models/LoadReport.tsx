// The load report of an import (main thread): loaded, missing, unexpected and shape-mismatched keys.
import type { ImportModelResult } from '../../shared/modelIo.ts';
import { Card } from '../common/Card.tsx';

function KeyList({ title, keys, testId }: { title: string; keys: readonly string[]; testId: string }) {
  if (keys.length === 0) return null;
  return (
    <details open={keys.length <= 12} data-testid={testId}>
      <summary>
        {title} ({keys.length})
      </summary>
      <ul className="keys">
        {keys.map((k) => (
          <li key={k}>
            <code>{k}</code>
          </li>
        ))}
      </ul>
    </details>
  );
}

export function LoadReport({ result, fileName }: { result: ImportModelResult; fileName: string }) {
  const r = result.report;
  return (
    <Card title={`Load report: ${fileName}`} testId="load-report" wide>
      <p data-testid="load-summary">
        {result.name} ({result.arch}, {result.numClasses} classes): loaded {r.loaded} tensors ·{' '}
        {r.missing.length} missing · {r.unexpected.length} unexpected · {r.mismatched.length} shape-mismatched
      </p>
      <p className="muted">{r.unwrap}</p>
      <KeyList title="Missing (kept as initialised)" keys={r.missing} testId="load-missing" />
      <KeyList title="Unexpected (ignored)" keys={r.unexpected} testId="load-unexpected" />
      {r.mismatched.length > 0 ? (
        <table className="table" data-testid="load-mismatched">
          <thead>
            <tr>
              <th>Shape mismatch (not loaded)</th>
              <th>Here</th>
              <th>In the file</th>
            </tr>
          </thead>
          <tbody>
            {r.mismatched.map((m) => (
              <tr key={m.key}>
                <td>
                  <code>{m.key}</code>
                </td>
                <td>[{m.expected.join(', ')}]</td>
                <td>[{m.got.join(', ')}]</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}
