// Device limits as granted (main thread).
import type { GpuInfo } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';
import { formatLimit } from '../common/format.ts';

export function LimitsCard({ gpu }: { gpu: GpuInfo }) {
  return (
    <Card title="Limits" testId="limits-card">
      <table className="table">
        <tbody>
          {Object.entries(gpu.limits).map(([name, value]) => (
            <tr key={name}>
              <th scope="row" className="mono">
                {name}
              </th>
              <td className="num">{formatLimit(name, value)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}
