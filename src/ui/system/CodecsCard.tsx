// WebCodecs support for the codecs datasets ship in (main thread).
import { PROBED_CODECS, type CodecSupport } from '../../shared/protocol.ts';
import { Card } from '../common/Card.tsx';

export function CodecsCard({ codecs }: { codecs: readonly CodecSupport[] }) {
  return (
    <Card title="Video codecs (WebCodecs)" testId="codecs-card">
      <table className="table">
        <thead>
          <tr>
            <th>Codec</th>
            <th>String</th>
            <th>Decode</th>
            <th>Encode</th>
          </tr>
        </thead>
        <tbody>
          {codecs.map((c) => (
            <tr key={c.name} data-testid={`codec-${c.name}`}>
              <td>{PROBED_CODECS.find((p) => p.name === c.name)?.label ?? c.name}</td>
              <td className="mono">{c.codec}</td>
              <td className={c.decode ? 'yes' : 'no'}>{c.decode ? 'yes' : 'no'}</td>
              <td className={c.encode ? 'yes' : 'no'}>{c.encode ? 'yes' : 'no'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        Codecs WebCodecs cannot decode (MPEG-4 part 2 in UCF101/HMDB51 AVIs, HEVC here) are decoded with
        ffmpeg.wasm.
      </p>
    </Card>
  );
}
