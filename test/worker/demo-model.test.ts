import { describe, expect, it } from 'vitest';
import { createDemoModel, demoReplyWords, type ModelPiece, type Sleep } from '../../worker/index';

async function reply(prompt: string, delayMs = 0, sleep?: Sleep): Promise<ModelPiece[]> {
  const model = createDemoModel({ delayMs, ...(sleep ? { sleep } : {}) });
  const out: ModelPiece[] = [];
  for await (const piece of model.stream({ messages: [{ role: 'user', content: prompt }], signal: new AbortController().signal })) {
    out.push(piece);
  }
  return out;
}

describe('demo model', () => {
  it('is deterministic: the same prompt gives the same reply, a different one another', async () => {
    expect(await reply('What is chatkeep?')).toEqual(await reply('What is chatkeep?'));
    expect((await reply('What is chatkeep?')).join('')).not.toBe((await reply('Something else')).join(''));
  });

  it('answers with 40 to 120 words, one piece per word', async () => {
    for (let i = 0; i < 200; i++) {
      const words = demoReplyWords(`prompt number ${i}`);
      expect(words.length).toBeGreaterThanOrEqual(40);
      expect(words.length).toBeLessThanOrEqual(120);
      expect(words.join('').split(' ')).toHaveLength(words.length);
    }
  });

  it('waits delayMs before each word through the sleep it is given, and not at all with 0', async () => {
    const waits: number[] = [];
    const sleep: Sleep = async (ms) => {
      waits.push(ms);
    };
    const words = await reply('Hi', 25, sleep);
    expect(waits).toEqual(words.map(() => 25));
    waits.length = 0;
    await reply('Hi', 0, sleep);
    expect(waits).toEqual([]);
  });

  it('answers the last user turn of the conversation', async () => {
    const model = createDemoModel({ delayMs: 0 });
    const out: ModelPiece[] = [];
    const messages = [
      { role: 'user' as const, content: 'first' },
      { role: 'assistant' as const, content: 'ok' },
      { role: 'user' as const, content: 'second' },
    ];
    for await (const piece of model.stream({ messages, signal: new AbortController().signal })) out.push(piece);
    expect(out).toEqual(demoReplyWords('second'));
  });
});
