// Files that could not be ingested, one row each: file, reason, code and message (main thread).
import type { IngestFailure } from '../../shared/protocol.ts';

export function FailureList({ failures, testId }: { failures: readonly IngestFailure[]; testId: string }) {
  if (failures.length === 0) return null;
  return (
    <table className="table" data-testid={testId}>
      <thead>
        <tr>
          <th>File</th>
          <th>Reason</th>
          <th>Code</th>
          <th>Message</th>
        </tr>
      </thead>
      <tbody>
        {failures.map((f) => (
          <tr key={f.file} data-file={f.file}>
            <td>{f.file}</td>
            <td>{f.reason}</td>
            <td>
              <code>{f.code}</code>
            </td>
            <td>{f.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
