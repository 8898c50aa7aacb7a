/**
 * The React example's entry: opens the conversation named by `?session=` (or a new one, put in the URL so a reload
 * keeps it) inside StrictMode. This build uses React's development build, so StrictMode really mounts every
 * component twice, as it does while an app is developed. A page whose `#root` was rendered on a server is
 * hydrated; otherwise it is rendered.
 */
import { StrictMode, useEffect } from 'react';
import { createRoot, hydrateRoot } from 'react-dom/client';
import { makeSessionId } from 'chatkeep';
import { ChatApp } from './chat-app';

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

const url = new URL(location.href);
const sessionId = url.searchParams.get('session') ?? makeSessionId();
url.searchParams.set('session', sessionId);
history.replaceState(null, '', url);

const container = document.getElementById('root');
if (!container) throw new Error('react example: #root is missing from index.html');
const app = (
  <StrictMode>
    <CountMounts />
    <ChatApp sessionId={sessionId} />
  </StrictMode>
);
if (container.hasChildNodes()) hydrateRoot(container, app);
else createRoot(container).render(app);
