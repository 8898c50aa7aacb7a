/**
 * The demo page: one ChatClient at a time (`window.chat`), the owner's list of conversations from the server
 * (`window.conversations`, the same on every device that has the owner key), and the views that render them. It
 * uses the SDK exactly as an app would, through the built `chatkeep` bundle.
 */
import {
  ChatClient,
  ChatError,
  ConversationList,
  DEFAULT_BASE_PATH,
  makeSessionId,
  type ChatMessage,
  type ChatSnapshot,
  type StorageFallbackEvent,
} from 'chatkeep';
import { DEFAULT_MAX_CONTENT_CHARS } from '../../sdk/protocol';
import { chooseSession } from './choose-session';
import { bindComposer } from './composer';
import { renderConnection } from './connection-view';
import { createConversationListView } from './conversation-list-view';
import { ConversationStore } from './conversation-store';
import { createMessageListView } from './message-list-view';
import { createNotice } from './notice';
import { describe, describeProblem } from './describe-error';
import { chooseOwnerKey, fetchAsOwner, otherDeviceLink, OWNER_PARAM } from './owner-key';
import { watchServer, type ServerProblem } from './server-watch';
import { bindSidebar } from './sidebar';

declare global {
  interface Window {
    /** The page's ChatClient, for scripts and for people poking at the demo in devtools. */
    chat?: ChatClient;
    /** The owner's conversation list the sidebar shows. */
    conversations?: ConversationList;
  }
}

function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`demo: #${id} is missing from index.html`);
  return element;
}

const ui = {
  app: byId('app', HTMLDivElement),
  sidebarToggle: byId('sidebar-toggle', HTMLButtonElement),
  scrim: byId('scrim', HTMLDivElement),
  newChat: byId('new-chat', HTMLButtonElement),
  conversations: byId('conversation-list', HTMLUListElement),
  deviceLink: byId('device-link', HTMLAnchorElement),
  title: byId('chat-title', HTMLHeadingElement),
  connection: byId('connection', HTMLParagraphElement),
  clear: byId('clear-chat', HTMLButtonElement),
  scroller: byId('scroller', HTMLDivElement),
  empty: byId('empty', HTMLParagraphElement),
  messages: byId('messages', HTMLOListElement),
  composer: byId('composer', HTMLFormElement),
};

const setSidebar = bindSidebar({ app: ui.app, toggle: ui.sidebarToggle, scrim: ui.scrim, list: ui.conversations });

/** Within this many pixels of the bottom, the list follows new text; further up, the reader is left alone. */
const STICK_TO_BOTTOM_PX = 120;

/** Remembers which conversation was open last in this browser. */
const store = new ConversationStore({ storage: localStorage, now: Date.now });
const notice = createNotice(byId('notice', HTMLParagraphElement));
const messageList = createMessageListView(ui.messages);

const owner = chooseOwnerKey({ search: location.search, storage: localStorage, makeKey: makeSessionId });
if (owner.fromLink) {
  // The key is a credential: remembered now, so it need not sit in the address bar or the history.
  const url = new URL(location.href);
  url.searchParams.delete(OWNER_PARAM);
  history.replaceState(null, '', url);
}
ui.deviceLink.href = otherDeviceLink(location.href, owner.ownerKey);
ui.deviceLink.textContent = ui.deviceLink.href;
const ownedFetch = fetchAsOwner(owner.ownerKey);

const conversations = new ConversationList({ endpoint: DEFAULT_BASE_PATH, ownerKey: owner.ownerKey });
window.conversations = conversations;
const renderConversations = createConversationListView({
  list: ui.conversations,
  onSelect: (sessionId) => {
    setSidebar(false);
    if (sessionId !== chat.sessionId) open(sessionId);
  },
  onRename: (sessionId, title) => {
    conversations.rename(sessionId, title).catch((error: unknown) => notice.show('action', `Could not rename: ${describe(error)}`));
  },
  onDelete: (sessionId) => void deleteConversation(sessionId),
});
conversations.subscribe(renderSidebar);
const composer = bindComposer({
  form: ui.composer,
  onSend: (text) => void send(text),
  onStop: () => {
    chat.stop().catch((error: unknown) => notice.show('action', `Could not stop the reply: ${describe(error)}`));
  },
  maxChars: DEFAULT_MAX_CONTENT_CHARS,
});

let chat: ChatClient;
let unsubscribe: () => void = () => {};
let unfollow: () => void = () => {};
/** Conversations deleted from this page: their leaving the list is no news here. */
const deletedHere = new Set<string>();
/** Session and title the header and list last showed, so a streamed word does not redraw them. */
let shownTitleKey = '';
/** Sends started from this page that have not settled yet; scripts wait for `data-in-flight="0"`. */
let inFlight = 0;
/** Whether the open client has loaded its cache; until then an empty list means "not read yet", not "empty". */
let loaded = false;
/** What the server last answered instead of taking a request (a 503…), until that request succeeds again. */
let serverProblem: ServerProblem | undefined;

function open(sessionId: string): void {
  unsubscribe();
  unfollow();
  chat?.close();
  notice.clear();
  serverProblem = undefined;
  const client: ChatClient = new ChatClient({
    endpoint: DEFAULT_BASE_PATH,
    sessionId,
    fetch: watchServer({
      fetch: ownedFetch,
      isOnline: () => navigator.onLine,
      onChange: (problem) => {
        if (client !== chat) return;
        serverProblem = problem;
        render(client);
      },
    }),
    onStorage: (event) => {
      if (client === chat) onStorageFallback(event);
    },
  });
  chat = client;
  window.chat = client;
  renderSidebar();
  store.touch(sessionId);
  const url = new URL(location.href);
  url.searchParams.set('session', sessionId);
  history.replaceState(null, '', url);
  shownTitleKey = '';
  loaded = false;
  unsubscribe = client.subscribe(() => render(client));
  // The sidebar's entry follows the conversation at once (a sent turn, a finished reply), not at the next sync.
  unfollow = conversations.follow(client);
  render(client);
  client.ready.then(
    () => {
      if (client !== chat) return;
      loaded = true;
      render(client);
    },
    (error: unknown) => notice.show('background', `Could not open the saved conversation: ${describe(error)}`),
  );
}

function onStorageFallback(event: StorageFallbackEvent): void {
  notice.show(
    'storage',
    `This browser cannot keep the conversation (${event.error.message}); it lasts only while the page is open.`,
    'info',
  );
}

function render(client: ChatClient): void {
  // A client closed by a switch may still report once; only the open one draws.
  if (client !== chat || leftDeletedElsewhere(client)) return;
  const snapshot: ChatSnapshot = client.getSnapshot();
  const { messages } = snapshot;
  // The client learns it is offline when a request fails; the browser's own signal shows it sooner.
  const state = navigator.onLine ? snapshot.status : 'offline';
  const stickToBottom =
    ui.scroller.scrollHeight - ui.scroller.scrollTop - ui.scroller.clientHeight < STICK_TO_BOTTOM_PX;

  messageList.render(messages, {
    offline: state === 'offline',
    ...(serverProblem ? { serverProblem: describeProblem(serverProblem) } : {}),
  });
  ui.empty.hidden = messages.length > 0 || !loaded;
  ui.clear.disabled = messages.length === 0;
  renderConnection(ui.connection, {
    state,
    waitingToSend: messages.filter((m) => m.status === 'pending').length,
    savedInBrowser: snapshot.storage === 'indexeddb',
  });
  composer.setStreaming(snapshot.status === 'streaming');
  renderBackgroundError(snapshot);
  renderServerProblem();
  renderTitle(client.sessionId, messages);

  if (stickToBottom) ui.scroller.scrollTop = ui.scroller.scrollHeight;
}

function renderBackgroundError({ error }: ChatSnapshot): void {
  // Being offline is already on the badge; anything else a background request hit is worth a line.
  if (error && error.code !== 'network_error') notice.show('background', describe(error));
  else notice.clear('background');
}

function renderServerProblem(): void {
  // The turn is safe in the outbox and the client keeps retrying; what the person needs is the server's reason.
  if (serverProblem) {
    notice.show('server', `The server is not taking messages: ${describeProblem(serverProblem)}. Retrying.`);
  } else {
    notice.clear('server');
  }
}

function renderTitle(sessionId: string, messages: readonly ChatMessage[]): void {
  // A rename (here or on another device) wins over the first turn.
  const listed = conversations.conversations.find((c) => c.sessionId === sessionId);
  const title = (listed && listed.messageCount > 0 ? listed.title : undefined) ?? messages.find((m) => m.role === 'user')?.content;
  // Runs on every streamed word: touch the page only when the title really changed.
  const key = `${sessionId}\n${title ?? ''}`;
  if (key === shownTitleKey) return;
  shownTitleKey = key;
  ui.title.textContent = title ?? 'New chat';
  document.title = title ? `${title} · chatkeep` : 'chatkeep';
}

/**
 * Deleted on another device (its list told the client, or the client's stream said so): nothing more to show, so
 * the page moves on to a new chat and says why. A delete from this page is no news.
 */
function leftDeletedElsewhere(client: ChatClient): boolean {
  if (client.getSnapshot().error?.code !== 'conversation_deleted' || deletedHere.has(client.sessionId)) return false;
  open(makeSessionId());
  notice.show('session', 'That conversation was deleted on another device.', 'info');
  return true;
}

function renderSidebar(): void {
  if (chat === undefined) return;
  renderConversations(conversations.conversations, chat.sessionId);
  renderTitle(chat.sessionId, chat.messages);
}

/** Deletes a conversation everywhere; the open one is cleared from this browser too, and a new chat opens. */
async function deleteConversation(sessionId: string): Promise<void> {
  deletedHere.add(sessionId);
  try {
    if (sessionId === chat.sessionId) {
      const client = chat;
      await client.clear();
      if (client === chat) open(makeSessionId());
    }
    await conversations.remove(sessionId);
  } catch (error) {
    notice.show('action', `Could not delete the conversation: ${describe(error)}`);
  }
}

async function send(text: string): Promise<void> {
  const client = chat;
  setInFlight(inFlight + 1);
  notice.clear('send');
  // The user just spoke: follow the conversation to the bottom even if they had scrolled up.
  requestAnimationFrame(() => (ui.scroller.scrollTop = ui.scroller.scrollHeight));
  try {
    await client.send(text);
  } catch (error) {
    // Refused for good (too long, unauthorized…): the text goes back to the composer to be fixed, not lost.
    if (client === chat) {
      notice.show('send', `Could not send: ${describe(error)}`);
      if (!(error instanceof ChatError && error.code === 'closed')) composer.restore(text);
    }
  } finally {
    setInFlight(inFlight - 1);
  }
}

function setInFlight(count: number): void {
  inFlight = count;
  ui.composer.dataset.inFlight = String(count);
}

ui.newChat.addEventListener('click', () => {
  setSidebar(false);
  // An untouched conversation is reused rather than piling up empty ones in the list.
  if (chat.messages.length > 0) open(conversations.create());
  composer.focus();
});

ui.clear.addEventListener('click', () => {
  const client = chat;
  if (client.messages.length === 0) return;
  // It deletes the server's copy too, for every device: worth one question.
  if (!confirm('Delete this conversation for good, on the server and in this browser?')) return;
  deletedHere.add(client.sessionId);
  client.clear().then(
    async () => {
      shownTitleKey = '';
      render(client);
      // The server dropped it from the owner's list; this drops it here (and on the other devices at their sync).
      await conversations.remove(client.sessionId);
    },
    (error: unknown) => notice.show('action', `Could not clear the conversation: ${describe(error)}`),
  );
});

// The browser's online/offline signal changes what the header says even before the client notices.
addEventListener('online', () => render(chat));
addEventListener('offline', () => render(chat));
// Back to this tab: another device may have started, renamed or deleted a conversation meanwhile.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') conversations.sync().catch(() => undefined);
});


const choice = chooseSession({ search: location.search, last: store.last(), makeId: makeSessionId });
open(choice.sessionId);
if (choice.rejected !== undefined) {
  const opened = choice.source === 'last' ? 'the last one used' : 'a new one';
  notice.show('session', `"${choice.rejected}" is not a conversation id; opened ${opened} instead.`, 'info');
}
