/**
 * The composer: Enter sends, Shift+Enter adds a line, the textarea grows with its text, the send/stop buttons swap
 * while a reply streams, and a counter appears as the text nears the Worker's length limit.
 */

export interface ComposerOptions {
  form: HTMLFormElement;
  /** Called with the trimmed text; the composer is cleared before this runs (see {@link Composer.restore}). */
  onSend: (text: string) => void;
  /** Called when the user presses Stop. */
  onStop: () => void;
  /** The longest turn the Worker takes, in characters (UTF-16 code units, as the Worker counts them). */
  maxChars: number;
  /**
   * The counter shows from this share of `maxChars` on; below it, a count would only be noise.
   * @defaultValue 0.9
   */
  counterFrom?: number;
}

export interface Composer {
  /** Shows Stop instead of Send while a reply streams. */
  setStreaming(streaming: boolean): void;
  /**
   * Puts back text the server refused, so the user can shorten or fix it instead of typing it again. Anything typed
   * since stays, after it.
   */
  restore(text: string): void;
  focus(): void;
}

/** The textarea stops growing here and scrolls instead. */
const MAX_TEXTAREA_PX = 192;

/**
 * @example
 * const onSend = (text: string) => void chat.send(text);
 * const composer = bindComposer({ form, onSend, onStop: () => void chat.stop(), maxChars: 20_000 });
 */
export function bindComposer({ form, onSend, onStop, maxChars, counterFrom = 0.9 }: ComposerOptions): Composer {
  const textarea = form.elements.namedItem('message');
  const send = form.querySelector<HTMLButtonElement>('button[type=submit]');
  const stop = form.querySelector<HTMLButtonElement>('#stop');
  const counter = form.querySelector<HTMLElement>('#composer-count');
  if (!(textarea instanceof HTMLTextAreaElement) || !send || !stop || !counter) {
    throw new Error('composer: expected textarea[name=message], a submit button, #stop and #composer-count');
  }
  const numbers = new Intl.NumberFormat();

  const update = () => {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, MAX_TEXTAREA_PX)}px`;
    const length = textarea.value.length;
    const over = length > maxChars;
    counter.hidden = length < maxChars * counterFrom;
    counter.textContent = `${numbers.format(length)} / ${numbers.format(maxChars)}`;
    counter.dataset.over = String(over);
    // The Worker is the judge (its limit is configurable), so an over-long text can still be sent; the counter
    // says in advance what the server would answer.
    if (over) textarea.setAttribute('aria-invalid', 'true');
    else textarea.removeAttribute('aria-invalid');
  };

  const submit = () => {
    const text = textarea.value.trim();
    if (text === '') return;
    textarea.value = '';
    update();
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
  textarea.addEventListener('input', update);
  stop.addEventListener('click', () => onStop());
  update();

  return {
    setStreaming(streaming) {
      stop.hidden = !streaming;
      send.hidden = streaming;
    },
    restore(text) {
      const typedSince = textarea.value.trim();
      textarea.value = typedSince === '' ? text : `${text}\n\n${textarea.value}`;
      update();
      textarea.focus();
    },
    focus() {
      textarea.focus();
    },
  };
}
