/**
 * The React example's entry: opens the conversation named by `?session=` (or a new one, put in the URL so a reload
 * keeps it) inside StrictMode. This build uses React's development build, so StrictMode really mounts every
 * component twice, as it does while an app is developed.
 *
 * A page rendered on a server (`#root` filled with `renderToString(<ChatApp …/>)`) carries what it was rendered
 * with in `<script type="application/json" id="server-state">{"sessionId","initialMessages"}</script>`, and is
 * hydrated with the same props; otherwise it is rendered.
 */
import { StrictMode, useEffect } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { makeSessionId } from 'chatkeep';
import { ChatApp, type ChatAppProps } from './chat-app';

declare global {
  interface Window {
    /** For scripts: how many times the app's effects were set up (2 on the first load under StrictMode). */
    reactExample?: { mounts: number };
  }
}

function CountMounts() {
  useEffect(() => {
    window.reactExample = { mounts: (window.reactExample?.mounts ?? 0) + 1 };
  }, []);
  return null;
}

const serverState = document.getElementById('server-state')?.textContent;
const rendered = serverState ? (JSON.parse(serverState) as ChatAppProps) : undefined;
const url = new URL(location.href);
const sessionId = rendered?.sessionId ?? url.searchParams.get('session') ?? makeSessionId();
url.searchParams.set('session', sessionId);
history.replaceState(null, '', url);

const container = document.getElementById('root');
if (!container) throw new Error('react example: #root is missing from index.html');
const app = (
  <StrictMode>
    <CountMounts />
    <ChatApp sessionId={sessionId} initialMessages={rendered?.initialMessages} />
  </StrictMode>
);
if (container.hasChildNodes()) hydrateRoot(container, app);
else createRoot(container).render(app);
