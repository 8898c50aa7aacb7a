import type { ModelPiece, ModelProvider } from './model-provider';
import { sleep as realSleep, type Sleep } from './sleep';

/** Options for {@link createDemoModel}. */
export interface DemoModelOptions {
  /**
   * Pause before each word, so a person sees the reply stream (the demo tool takes ten of these to answer). `0`
   * streams with no pause (tests, benchmarks).
   * @defaultValue 40
   */
  delayMs?: number;
  /**
   * How to wait; pass a fake to run without real timers.
   * @defaultValue a `setTimeout`-based sleep that stops on abort
   */
  sleep?: Sleep;
  /**
   * The server clock in ms, which the demo tool `get_time` answers with.
   * @defaultValue `Date.now`
   */
  now?: () => number;
}

export const DEFAULT_DEMO_DELAY_MS = 40;
export const DEMO_MIN_WORDS = 40;
export const DEMO_MAX_WORDS = 120;
export const DEMO_MIN_REASONING_WORDS = 20;
export const DEMO_MAX_REASONING_WORDS = 40;
/** The demo's one tool: answers the server clock, `{"iso":"…"}`, for input `{"timezone":"UTC"}`. */
export const DEMO_TIME_TOOL = 'get_time';
/** The demo tool takes this many word pauses to answer, so a person sees it run. */
const TOOL_DELAY_WORDS = 10;

const WORDS = (
  'the a reply keeps streaming while your browser refreshes and every word lands in storage so nothing is lost ' +
  'history returns what was written chat sessions survive offline sends tabs reconnect quietly model tokens arrive ' +
  'one by one worker persists both turns durable cache renders instantly messages sync later kv edge cursor ' +
  'checkpoint idempotent retry outbox stream event delta start done gentle river mountain lantern orchard ' +
  'harbor meadow signal bright steady calm patient curious'
).split(' ');

const REASONING_WORDS = (
  'the user asks so first I should consider what they mean and then how to answer it briefly perhaps an example ' +
  'helps maybe not let me weigh the options carefully one reading is simple another is subtle either way keep ' +
  'the reply short clear and honest'
).split(' ');

/** A reply with a heading, a bulleted list and a fenced code block, for a turn that asks for Markdown. */
const MARKDOWN_REPLY = [
  '## What chatkeep keeps',
  '',
  'A reply survives:',
  '',
  '- a refresh in the middle of it',
  '- a closed laptop or a dropped network',
  '- a second tab on the same conversation',
  '',
  '```ts',
  "const chat = new ChatClient({ endpoint: '/api' });",
  "await chat.send('Hello');",
  '```',
].join('\n');

/** FNV-1a: a stable seed from the prompt, so the same prompt always gets the same reply. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: tiny deterministic generator. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Between `min` and `max` words from `vocabulary`, chosen by `seed`, as pieces: one per word, the space before it kept. */
function words(seed: number, vocabulary: readonly string[], min: number, max: number): string[] {
  const next = random(seed);
  const count = min + Math.floor(next() * (max - min + 1));
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = vocabulary[Math.floor(next() * vocabulary.length)] ?? 'word';
    const end = i === count - 1 ? '.' : next() < 0.08 ? ',' : '';
    pieces.push(`${i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`}${end}`);
  }
  return pieces;
}

/** A text as pieces of one word each, the whitespace before a word (line breaks included) kept with it. */
const wordsOf = (text: string): string[] => text.match(/\s*\S+/g) ?? [];

/** The demo model's reply text to `prompt` when it has no cue, as the pieces it streams. Exposed so tests can compare. */
export function demoReplyWords(prompt: string): string[] {
  return words(hash(prompt), WORDS, DEMO_MIN_WORDS, DEMO_MAX_WORDS);
}

/** The reasoning the demo model streams, word by word, for a turn that begins with `think:`. */
export function demoReasoningWords(prompt: string): string[] {
  return words(hash(`reasoning:${prompt}`), REASONING_WORDS, DEMO_MIN_REASONING_WORDS, DEMO_MAX_REASONING_WORDS);
}

/** What the demo tool answers at `nowMs`, and the sentence that quotes it. */
const timeSentence = (iso: string) => `By the server clock it is ${iso} (UTC).`;

/**
 * The demo model's whole reply to `prompt`, piece by piece, reading the clock only when its tool runs:
 * - a turn beginning with `think:` gets a reasoning part first (20–40 words);
 * - a turn containing `what time` calls the tool `get_time` with `{"timezone":"UTC"}`, which answers
 *   `{"iso":"<now, ISO 8601>"}`, and the text quotes that time;
 * - a turn containing `markdown` gets a heading, a bulleted list and a fenced code block;
 * - any other turn gets {@link demoReplyWords}.
 * The cues are matched without regard to case, so `Think:` and `What time` count.
 */
export function* demoReply(prompt: string, now: () => number = Date.now): Generator<ModelPiece, void, undefined> {
  const cue = prompt.toLowerCase();
  if (cue.trimStart().startsWith('think:')) for (const text of demoReasoningWords(prompt)) yield { type: 'reasoning', text };
  const asksTime = cue.includes('what time');
  if (asksTime) {
    const toolCallId = `call_${hash(prompt).toString(36)}`;
    yield { type: 'tool-call', toolCallId, name: DEMO_TIME_TOOL, input: { timezone: 'UTC' } };
    const iso = new Date(now()).toISOString();
    yield { type: 'tool-result', toolCallId, output: { iso } };
    yield* wordsOf(timeSentence(iso));
  }
  if (cue.includes('markdown')) yield* wordsOf(`${asksTime ? '\n\n' : ''}${MARKDOWN_REPLY}`);
  else if (!asksTime) yield* demoReplyWords(prompt);
}

/**
 * A model that needs no network: it answers the last user turn with 40–120 deterministic words, one piece per word,
 * and shows reasoning, a tool call and Markdown on the cues {@link demoReply} lists.
 *
 * @example
 * ```ts
 * createChatWorker({ model: createDemoModel({ delayMs: 0 }) });
 * ```
 */
export function createDemoModel(options: DemoModelOptions = {}): ModelProvider {
  const delayMs = options.delayMs ?? DEFAULT_DEMO_DELAY_MS;
  const wait = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  return {
    name: 'demo',
    async *stream({ messages, signal }) {
      const prompt = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      for (const piece of demoReply(prompt, now)) {
        // The tool's answer takes longer than a word, as a real tool would.
        const pause = typeof piece !== 'string' && piece.type === 'tool-result' ? delayMs * TOOL_DELAY_WORDS : delayMs;
        if (pause > 0) await wait(pause, signal);
        else if (signal.aborted) return;
        yield piece;
      }
    },
  };
}
