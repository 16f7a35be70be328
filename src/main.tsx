// Entry of the studio page (main thread): creates the worker client and the store bindings, mounts <App/>.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './client/workerClient.ts';
import { installAutomationHandle } from './client/automation.ts';
import { navigate, panelFromHash, reportError, startStudio } from './state/actions.ts';
import { autoCreateToyActions } from './state/toyActions.ts';
import { App } from './ui/App.tsx';
import './ui/styles.css';

const client = createClient();
installAutomationHandle(client, __TUBELET_VERSION__);

navigate(panelFromHash(window.location.hash) ?? 'start');
window.addEventListener('hashchange', () => {
  const panel = panelFromHash(window.location.hash);
  if (panel) navigate(panel);
});
window.addEventListener('unhandledrejection', (event) => {
  reportError(event.reason);
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
// First start: Toy Actions is made in the background once the worker is up (nothing is downloaded).
void startStudio(client).then(autoCreateToyActions);
