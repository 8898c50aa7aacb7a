// The demo model's cues (DESIGN.md, "Reply parts"): `think:` → reasoning, `what time` → the get_time tool,
// `markdown` → a heading, a list and a code block. Deterministic, no network.
import { describe, expect, it } from 'vitest';
import { ReplyParts } from '../../worker/conversation/reply-parts';
import { createDemoModel, demoReasoningWords, demoReplyWords, type ModelPiece, type Sleep } from '../../worker/index';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
const ISO = '2026-01-02T03:04:05.600Z';

async function reply(prompt: string, options: { delayMs?: number; sleep?: Sleep } = {}): Promise<ModelPiece[]> {
  const model = createDemoModel({ delayMs: 0, now: () => NOW, ...options });
  const out: ModelPiece[] = [];
  for await (const piece of model.stream({ messages: [{ role: 'user', content: prompt }], signal: new AbortController().signal })) out.push(piece);
  return out;
}
const kinds = (pieces: readonly ModelPiece[]) => pieces.map((piece) => (typeof piece === 'string' ? 'text' : piece.type));
const textOf = (pieces: readonly ModelPiece[]) => pieces.filter((piece): piece is string => typeof piece === 'string').join('');

describe('demo model cues', () => {
  it('think: streams 20–40 words of reasoning, one piece per word, before the usual text', async () => {
    const prompt = 'think: why is the sky blue?';
    const pieces = await reply(prompt);
    const reasoning = pieces.filter((piece) => typeof piece !== 'string');
    expect(reasoning).toEqual(demoReasoningWords(prompt).map((text) => ({ type: 'reasoning', text })));
    expect(kinds(pieces)).toEqual([...reasoning.map(() => 'reasoning'), ...demoReplyWords(prompt).map(() => 'text')]);
    expect(textOf(pieces)).toBe(demoReplyWords(prompt).join(''));
    expect(await reply(prompt)).toEqual(pieces);
    for (let i = 0; i < 200; i++) {
      const words = demoReasoningWords(`think: question ${i}`);
      expect(words.length).toBeGreaterThanOrEqual(20);
      expect(words.length).toBeLessThanOrEqual(40);
      expect(words.join('').split(' ')).toHaveLength(words.length);
    }
  });

  it('only a turn that begins with think: (in any case) reasons', async () => {
    expect(kinds(await reply('  Think: hard'))[0]).toBe('reasoning');
    expect(kinds(await reply('I think: no'))).not.toContain('reasoning');
  });

  it('what time calls get_time with {"timezone":"UTC"}, which answers the server clock, and the text quotes it', async () => {
    const pieces = await reply('What time is it?');
    const [call, result, ...text] = pieces;
    expect(call).toEqual({ type: 'tool-call', toolCallId: expect.any(String), name: 'get_time', input: { timezone: 'UTC' } });
    expect(result).toEqual({ type: 'tool-result', toolCallId: (call as { toolCallId: string }).toolCallId, output: { iso: ISO } });
    expect(text.join('')).toContain(ISO);
    expect(kinds(text).every((kind) => kind === 'text')).toBe(true);
  });

  it('markdown gets a heading, a bulleted list and a fenced code block', async () => {
    const text = textOf(await reply('Show me some markdown'));
    expect(text).toMatch(/^#{1,6} \S/m);
    expect(text.match(/^- \S/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^```\w*\n[\s\S]+\n```$/m);
  });

  it('cues combine in order: reasoning, then the tool, then the text', async () => {
    const pieces = await reply('think: what time is it, in markdown?');
    const order = kinds(pieces).filter((kind, index, all) => kind !== all[index - 1]);
    expect(order).toEqual(['reasoning', 'tool-call', 'tool-result', 'text']);
    expect(textOf(pieces)).toContain(ISO);
    expect(textOf(pieces)).toMatch(/^```/m);
  });

  it('as parts: reasoning, a done get_time tool, and the text', async () => {
    const parts = new ReplyParts('demo-reply-0001_r');
    for (const piece of await reply('think: what time is it?')) parts.add(piece);
    expect(parts.parts?.map((part) => [part.type, part.type === 'tool' ? part.state : undefined])).toEqual([
      ['reasoning', undefined],
      ['tool', 'done'],
      ['text', undefined],
    ]);
    expect(parts.text).toContain(ISO);
  });

  it('waits delayMs before each word and ten times that for the tool to answer', async () => {
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => {
      waits.push(ms);
    };
    const pieces = await reply('what time', { delayMs: 5, sleep });
    expect(waits).toEqual(kinds(pieces).map((kind) => (kind === 'tool-result' ? 50 : 5)));
  });
});
