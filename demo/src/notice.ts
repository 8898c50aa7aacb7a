/**
 * The one-line notice under the header. Each notice has a source, so a background failure that clears itself (the
 * next successful sync) hides its own notice and never one about, say, a refused send.
 */

/** What raised a notice. */
export type NoticeSource = 'send' | 'action' | 'background' | 'server' | 'storage' | 'session';
export type NoticeTone = 'error' | 'info';

export interface Notice {
  show(source: NoticeSource, text: string, tone?: NoticeTone): void;
  /** Hides the notice if `source` raised it (any notice when omitted). */
  clear(source?: NoticeSource): void;
}

/**
 * @example
 * const notice = createNotice(document.querySelector('#notice')!);
 * notice.show('send', 'Could not send: too long (content_too_long)');
 */
export function createNotice(element: HTMLElement): Notice {
  let current: NoticeSource | undefined;
  return {
    show(source, text, tone = 'error') {
      current = source;
      if (element.textContent !== text) element.textContent = text;
      element.dataset.tone = tone;
      element.dataset.source = source;
      element.hidden = false;
    },
    clear(source) {
      if (current === undefined || (source !== undefined && source !== current)) return;
      current = undefined;
      element.hidden = true;
    },
  };
}
