/**
 * Replies as Markdown (code blocks, lists, links, tables), made safe to put in the page. A model's text is
 * untrusted: whoever can steer the prompt can make it write `<script>` or `[x](javascript:…)`. Two layers keep that
 * inert: marked renders raw HTML in the text as visible text rather than markup, and DOMPurify then removes anything
 * executable that is left (event attributes, `javascript:` and `data:` URLs). Links open in a new tab without a
 * handle on this page (`rel="noopener noreferrer"`), and images become links, so a reply cannot make the browser
 * fetch a tracking pixel just by being shown.
 *
 * Only the demo imports this module: marked and DOMPurify are bundled into the demo's app.js, never into the SDK.
 */
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/** URL schemes a rendered link may keep; anything else loses its `href` and reads as plain text. */
const SAFE_LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    // Raw HTML in a reply is shown as the text it is, the way a chat shows code someone pasted.
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    image({ href, text }: Tokens.Image): string {
      return `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;
    },
  },
});

const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (!(node instanceof HTMLAnchorElement) || !node.hasAttribute('href')) return;
  if (!SAFE_LINK_PROTOCOLS.has(protocolOf(node.getAttribute('href') ?? ''))) {
    node.removeAttribute('href');
    return;
  }
  node.setAttribute('target', '_blank');
  node.setAttribute('rel', 'noopener noreferrer');
});

function protocolOf(href: string): string {
  try {
    return new URL(href, document.baseURI).protocol;
  } catch {
    return '';
  }
}

/**
 * Renders Markdown into a sanitized fragment, ready to replace an element's children.
 *
 * @example
 * bubble.replaceChildren(renderMarkdown('Here is `ls`:\n\n```sh\nls -la\n```'));
 */
export function renderMarkdown(text: string): DocumentFragment {
  // Trimmed: the newline marked puts after the last block would otherwise be part of the shown text.
  const html = marked.parse(text, { async: false }).trim();
  return purifier.sanitize(html, {
    RETURN_DOM_FRAGMENT: true,
    FORBID_TAGS: ['style', 'img', 'form', 'button', 'textarea', 'select'],
    FORBID_ATTR: ['style'],
  });
}
