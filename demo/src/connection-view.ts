/** The online / offline / syncing badge in the header. */

/** The client's connection state, as `ChatClient.status` reports it. */
export type ConnectionState = 'idle' | 'syncing' | 'streaming' | 'offline';

export interface ConnectionInfo {
  state: ConnectionState;
  /** User turns not yet acknowledged by the server. */
  waitingToSend: number;
  /** False once the client fell back to memory: the conversation then ends with the page. */
  savedInBrowser: boolean;
}

const LABEL: Record<ConnectionState, string> = {
  idle: 'Online',
  syncing: 'Syncing…',
  streaming: 'Online',
  offline: 'Offline',
};

/**
 * Shows the state as a coloured dot, a word, and a detail (what is streaming, waiting or unsaved) that narrow
 * screens hide; the whole sentence stays in the tooltip.
 *
 * @example
 * renderConnection(badge, { state: chat.status, waitingToSend: 0, savedInBrowser: true });
 */
export function renderConnection(badge: HTMLElement, { state, waitingToSend, savedInBrowser }: ConnectionInfo): void {
  if (badge.dataset.state !== state) badge.dataset.state = state;
  badge.dataset.saved = String(savedInBrowser);
  const details: string[] = [];
  if (state === 'streaming') details.push('replying');
  if (waitingToSend > 0) details.push(`${waitingToSend} waiting to send`);
  if (!savedInBrowser) details.push('not saved in this browser');
  setText(badge.querySelector('.connection-label'), LABEL[state]);
  setText(badge.querySelector('.connection-detail'), details.map((d) => `· ${d}`).join(' '));
  badge.title = [LABEL[state], ...details].join(' · ');
}

function setText(element: Element | null, text: string): void {
  if (element && element.textContent !== text) element.textContent = text;
}
