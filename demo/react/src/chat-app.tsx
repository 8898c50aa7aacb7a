/**
 * The chatkeep conversation as a React component: everything it shows comes from `useConversation`, and every
 * action goes through it. Rendered messages carry `data-message-id`, `data-role` and `data-status`, as on the demo.
 */
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useConversation } from 'chatkeep/react';
import type { ChatMessage } from 'chatkeep';

const STATUS_LABELS = { idle: 'Online', syncing: 'Syncing…', streaming: 'Replying…', offline: 'Offline' } as const;

export interface ChatAppProps {
  sessionId: string;
  /** History the server rendered with; the first browser render shows the same, so hydration matches. */
  initialMessages?: readonly ChatMessage[];
}

export function ChatApp({ sessionId, initialMessages }: ChatAppProps) {
  const { messages, status, loaded, error, send, stop, clear } = useConversation({ sessionId, initialMessages });
  const [draft, setDraft] = useState('');
  const [refusal, setRefusal] = useState<string>();

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    const text = draft.trim();
    if (!text) return;
    setDraft('');
    setRefusal(undefined);
    send(text).catch((failure: unknown) => {
      // Refused for good (too long, say): the text comes back to the composer with the reason.
      setDraft(text);
      setRefusal(failure instanceof Error ? failure.message : String(failure));
    });
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey) submit(event);
  };

  return (
    <main className="chat">
      <header className="chat-head">
        <h1>chatkeep · React</h1>
        <p className="connection" id="connection" role="status" data-state={status} data-loaded={loaded}>
          {STATUS_LABELS[status]}
          {error && ` · ${error.message}`}
        </p>
        <button type="button" id="clear-chat" disabled={messages.length === 0} onClick={() => void clear()}>
          Clear
        </button>
      </header>
      <ol className="messages" role="log" aria-live="polite" aria-label="Messages">
        {loaded && messages.length === 0 && <li className="empty">Ask anything. The reply is kept as it streams.</li>}
        {messages.map((message) => (
          <li
            key={message.id}
            className="message"
            data-message-id={message.id}
            data-role={message.role}
            data-status={message.status}
          >
            <span className="message-content">{message.content}</span>
          </li>
        ))}
      </ol>
      {refusal && (
        <p className="refusal" role="alert">
          Not sent: {refusal}
        </p>
      )}
      <form className="composer" id="composer" autoComplete="off" onSubmit={submit}>
        <textarea
          name="message"
          rows={2}
          aria-label="Message"
          placeholder="Message"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {status === 'streaming' ? (
          <button type="button" id="stop" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit">Send</button>
        )}
      </form>
    </main>
  );
}
