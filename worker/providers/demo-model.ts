import type { ModelProvider } from './model-provider';
import { sleep as realSleep, type Sleep } from './sleep';

/** Options for {@link createDemoModel}. */
export interface DemoModelOptions {
  /**
   * Pause before each word, so a person sees the reply stream. `0` streams with no pause (tests, benchmarks).
   * @defaultValue 40
   */
  delayMs?: number;
  /**
   * How to wait; pass a fake to run without real timers.
   * @defaultValue a `setTimeout`-based sleep that stops on abort
   */
  sleep?: Sleep;
}

export const DEFAULT_DEMO_DELAY_MS = 40;
export const DEMO_MIN_WORDS = 40;
export const DEMO_MAX_WORDS = 120;

const WORDS = (
  'the a reply keeps streaming while your browser refreshes and every word lands in storage so nothing is lost ' +
  'history returns what was written chat sessions survive offline sends tabs reconnect quietly model tokens arrive ' +
  'one by one worker persists both turns durable cache renders instantly messages sync later kv edge cursor ' +
  'checkpoint idempotent retry outbox stream event delta start done gentle river mountain lantern orchard ' +
  'harbor meadow signal bright steady calm patient curious'
).split(' ');

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

/** The demo model's whole reply to `prompt`, as the pieces it streams. Exposed so tests can compare. */
export function demoReplyWords(prompt: string): string[] {
  const next = random(hash(prompt));
  const count = DEMO_MIN_WORDS + Math.floor(next() * (DEMO_MAX_WORDS - DEMO_MIN_WORDS + 1));
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    const word = WORDS[Math.floor(next() * WORDS.length)] ?? 'word';
    const end = i === count - 1 ? '.' : next() < 0.08 ? ',' : '';
    pieces.push(`${i === 0 ? word.charAt(0).toUpperCase() + word.slice(1) : ` ${word}`}${end}`);
  }
  return pieces;
}

/**
 * A model that needs no network: it answers the last user turn with 40–120 deterministic words, one piece per word.
 *
 * @example
 * ```ts
 * createChatWorker({ model: createDemoModel({ delayMs: 0 }) });
 * ```
 */
export function createDemoModel(options: DemoModelOptions = {}): ModelProvider {
  const delayMs = options.delayMs ?? DEFAULT_DEMO_DELAY_MS;
  const wait = options.sleep ?? realSleep;
  return {
    name: 'demo',
    async *stream({ messages, signal }) {
      const prompt = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
      for (const piece of demoReplyWords(prompt)) {
        if (delayMs > 0) await wait(delayMs, signal);
        else if (signal.aborted) return;
        yield piece;
      }
    },
  };
}
