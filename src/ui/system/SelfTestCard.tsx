// The GPU self-test: a real WGSL kernel in the worker, checked against the CPU (main thread).
import { cancelSelfTest, runSelfTest } from '../../state/actions.ts';
import { useStudio } from '../../state/store.ts';
import { Card } from '../common/Card.tsx';
import { ProgressBar } from '../common/ProgressBar.tsx';
import { formatMs } from '../common/format.ts';

export const SELFTEST_SPEC = { m: 128, n: 96, k: 160, seed: 20261121 } as const;

export function SelfTestCard() {
  const { jobId, stage, done, total, result } = useStudio((s) => s.selfTest);
  const ready = useStudio((s) => s.status === 'ready');
  const running = jobId !== null;
  return (
    <Card
      title="GPU self-test"
      testId="selftest-card"
      actions={
        running ? (
          <button type="button" className="button button--ghost" onClick={() => void cancelSelfTest()}>
            Cancel
          </button>
        ) : (
          <button
            type="button"
            className="button"
            disabled={!ready}
            onClick={() => void runSelfTest(SELFTEST_SPEC)}
          >
            Run GPU self-test
          </button>
        )
      }
    >
      <p className="muted">
        Multiplies seeded {SELFTEST_SPEC.m}×{SELFTEST_SPEC.k} and {SELFTEST_SPEC.k}×{SELFTEST_SPEC.n} matrices
        with a tiled WGSL kernel in the compute worker, compares with a CPU reference, then reads the same GPU
        buffer through TF.js to check both share one device.
      </p>
      {running ? <ProgressBar done={done} total={total} label={stage ?? 'starting'} /> : null}
      {result ? (
        <div
          className={`result ${result.ok ? 'result--pass' : 'result--fail'}`}
          data-testid="selftest-result"
        >
          <strong data-testid="selftest-verdict">{result.ok ? 'PASS' : 'FAIL'}</strong>
          <span>
            {result.kernel} {result.shape.m}×{result.shape.k}·{result.shape.k}×{result.shape.n}
          </span>
          <span data-testid="selftest-error">
            max |GPU − CPU| = {result.maxAbsError.toExponential(2)} (tolerance{' '}
            {result.tolerance.toExponential(2)})
          </span>
          <span>via TF.js: {result.tfMaxAbsError.toExponential(2)}</span>
          <span>
            GPU {formatMs(result.gpuMs)} · CPU {formatMs(result.cpuMs)}
          </span>
          <span className="mono">
            first outputs: {Array.from(result.sample, (v) => v.toFixed(4)).join(', ')}
          </span>
        </div>
      ) : null}
    </Card>
  );
}
