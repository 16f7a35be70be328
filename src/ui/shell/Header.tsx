// The studio header: brand, adapter status (main thread).
import { useStudio } from '../../state/store.ts';
import { ToyActionsStatus } from './ToyActionsStatus.tsx';

export function Header() {
  const status = useStudio((s) => s.status);
  const gpu = useStudio((s) => s.init?.gpu ?? null);
  const deviceLost = useStudio((s) => s.deviceLost);
  const label = deviceLost
    ? 'GPU device lost'
    : status === 'ready' && gpu
      ? `${gpu.vendor || 'GPU'} · ${gpu.architecture || gpu.description || 'adapter'}${gpu.isFallbackAdapter ? ' (software)' : ''}`
      : status === 'starting'
        ? 'Starting GPU…'
        : 'No GPU';
  const tone =
    deviceLost || status === 'failed' || status === 'unsupported'
      ? 'bad'
      : status === 'ready'
        ? 'good'
        : 'wait';
  return (
    <header className="header">
      <div className="brand">
        <span className="brand__mark" aria-hidden="true">
          ▦
        </span>
        <span className="brand__name">Tubelet</span>
        <span className="brand__tag">video action recognition on WebGPU</span>
      </div>
      <ToyActionsStatus />
      <div className={`status status--${tone}`} data-testid="gpu-status">
        <span className="status__dot" />
        {label}
      </div>
    </header>
  );
}
