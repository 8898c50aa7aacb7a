/**
 * The composer: Enter sends, Shift+Enter adds a line, the textarea grows with its text, and the send/stop buttons
 * swap while a reply streams.
 */

export interface ComposerOptions {
  form: HTMLFormElement;
  /** Called with the trimmed text; the composer is cleared before this runs. */
  onSend: (text: string) => void;
  /** Called when the user presses Stop. */
  onStop: () => void;
}

export interface Composer {
  /** Shows Stop instead of Send while a reply streams. */
  setStreaming(streaming: boolean): void;
  focus(): void;
}

/** The textarea stops growing here and scrolls instead. */
const MAX_TEXTAREA_PX = 192;

/**
 * @example
 * const composer = bindComposer({ form, onSend: (t) => void chat.send(t), onStop: () => chat.stop() });
 */
export function bindComposer({ form, onSend, onStop }: ComposerOptions): Composer {
  const textarea = form.elements.namedItem('message');
  const send = form.querySelector<HTMLButtonElement>('button[type=submit]');
  const stop = form.querySelector<HTMLButtonElement>('#stop');
  if (!(textarea instanceof HTMLTextAreaElement) || !send || !stop) {
    throw new Error('composer: expected textarea[name=message], a submit button and #stop');
  }

  const grow = () => {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_TEXTAREA_PX)}px`;
  };

  const submit = () => {
    const text = textarea.value.trim();
    if (text === '') return;
    textarea.value = '';
    grow();
    onSend(text);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  textarea.addEventListener('keydown', (event) => {
    // isComposing: Enter also confirms an IME composition (Japanese, Chinese…), which must not send.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    submit();
  });
  textarea.addEventListener('input', grow);
  stop.addEventListener('click', () => onStop());

  return {
    setStreaming(streaming) {
      stop.hidden = !streaming;
      send.hidden = streaming;
    },
    focus() {
      textarea.focus();
    },
  };
}
