// The studio shell: header, navigation, the current panel and the error center (main thread).
import { useStudio } from '../state/store.ts';
import { ErrorCenter } from './shell/ErrorCenter.tsx';
import { Header } from './shell/Header.tsx';
import { Nav } from './shell/Nav.tsx';
import { WebGpuMissing } from './shell/WebGpuMissing.tsx';
import { PlannedPanel } from './panels/PlannedPanel.tsx';
import { SystemPanel } from './system/SystemPanel.tsx';
import { DatasetsPanel } from './datasets/DatasetsPanel.tsx';
import { ModelsPanel } from './models/ModelsPanel.tsx';
import { FinetunePanel } from './finetune/FinetunePanel.tsx';
import { StartPanel } from './start/StartPanel.tsx';
import { EvaluatePanel } from './evaluate/EvaluatePanel.tsx';
import { VisualisePanel } from './visualise/VisualisePanel.tsx';

export function App() {
  const status = useStudio((s) => s.status);
  const panel = useStudio((s) => s.panel);
  const startupError = useStudio((s) => s.startupError);
  if (status === 'unsupported') return <WebGpuMissing error={startupError} />;
  return (
    <div className="app">
      <button
        type="button"
        className="skip-link"
        onClick={() => {
          document.getElementById('main')?.focus();
        }}
      >
        Skip to the panel
      </button>
      <Header />
      <div className="app__body">
        <Nav />
        <main className="app__main" id="main" tabIndex={-1}>
          {panel === 'start' ? (
            <StartPanel />
          ) : panel === 'system' ? (
            <SystemPanel />
          ) : panel === 'datasets' ? (
            <DatasetsPanel />
          ) : panel === 'models' ? (
            <ModelsPanel />
          ) : panel === 'finetune' ? (
            <FinetunePanel />
          ) : panel === 'evaluate' ? (
            <EvaluatePanel />
          ) : panel === 'visualise' ? (
            <VisualisePanel />
          ) : (
            <PlannedPanel panel={panel} />
          )}
        </main>
      </div>
      <ErrorCenter />
    </div>
  );
}
