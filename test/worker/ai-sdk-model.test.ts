// aiSdkModel with the AI SDK's own mock language model (ai/test), in workerd: the tool loop's calls and results
// become chatkeep's pieces (and, through ReplyParts, the reply's parts); earlier turns' parts go back to the model
// as its own tool messages; a tool that throws is an error part and the reply goes on.
import { jsonSchema, tool } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import type { ChatPart } from '../../sdk/protocol';
import { ReplyParts } from '../../worker/conversation/reply-parts';
import { aiSdkModel, toAiSdkPrompt } from '../../worker/ai-sdk';
import { ModelError, type ModelMessage, type ModelPiece, type ModelProvider } from '../../worker/index';

type StreamPart = Parameters<typeof convertArrayToReadableStream<unknown>>[0][number];

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};
const finish = (unified: 'stop' | 'tool-calls') => ({ type: 'finish', finishReason: { unified, raw: undefined }, usage });
const step = (...parts: StreamPart[]) => ({ stream: convertArrayToReadableStream([{ type: 'stream-start', warnings: [] }, ...parts]) as never });
const text = (id: string, delta: string) => [
  { type: 'text-start', id },
  { type: 'text-delta', id, delta },
  { type: 'text-end', id },
];
const reasoning = (id: string, delta: string) => [
  { type: 'reasoning-start', id },
  { type: 'reasoning-delta', id, delta },
  { type: 'reasoning-end', id },
];
const call = (toolCallId: string, toolName: string, input: unknown) => ({ type: 'tool-call', toolCallId, toolName, input: JSON.stringify(input) });

async function piecesOf(model: ModelProvider, messages: ModelMessage[], signal = new AbortController().signal): Promise<ModelPiece[]> {
  const pieces: ModelPiece[] = [];
  for await (const piece of model.stream({ messages, signal })) pieces.push(piece);
  return pieces;
}
const partsOf = (pieces: readonly ModelPiece[]): ChatPart[] | undefined => {
  const parts = new ReplyParts('ai-sdk-reply-0001_r');
  for (const piece of pieces) parts.add(piece);
  return parts.parts;
};

const cityTools = {
  find_city: tool({
    description: 'Finds a city by name',
    inputSchema: jsonSchema<{ name: string }>({ type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }),
    execute: async ({ name }) => ({ city: name, country: 'FR' }),
  }),
  get_weather: tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }),
    execute: async ({ city }) => ({ city, celsius: 21 }),
  }),
};

/** A model that looks the city up, then asks its weather, then answers: a tool loop of three steps. */
const twoToolModel = () =>
  new MockLanguageModelV4({
    doStream: [
      step(...reasoning('r1', 'Find the city first.'), call('call-1', 'find_city', { name: 'Paris' }), finish('tool-calls')),
      step(call('call-2', 'get_weather', { city: 'Paris' }), finish('tool-calls')),
      step(...text('t1', 'It is 21 °C in Paris.'), finish('stop')),
    ],
  });

const question: ModelMessage[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Weather in Paris?' },
];

describe('aiSdkModel', () => {
  it('runs a two-call tool loop and yields both calls and results, then the answer', async () => {
    const mock = twoToolModel();
    const pieces = await piecesOf(aiSdkModel({ model: mock, tools: cityTools }), question);
    expect(pieces).toEqual([
      { type: 'reasoning', text: 'Find the city first.' },
      { type: 'tool-call', toolCallId: 'call-1', name: 'find_city', input: { name: 'Paris' } },
      { type: 'tool-result', toolCallId: 'call-1', output: { city: 'Paris', country: 'FR' } },
      { type: 'tool-call', toolCallId: 'call-2', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool-result', toolCallId: 'call-2', output: { city: 'Paris', celsius: 21 } },
      'It is 21 °C in Paris.',
    ]);
    expect(mock.doStreamCalls).toHaveLength(3);
    // The system turn went as instructions, first.
    expect(mock.doStreamCalls[0]!.prompt[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(partsOf(pieces)?.map((part) => (part.type === 'tool' ? `${part.name}:${part.state}` : part.type))).toEqual([
      'reasoning',
      'find_city:done',
      'get_weather:done',
      'text',
    ]);
  });

  it('gives the follow-up turn its earlier tool calls and results as the model’s own tool messages', async () => {
    const parts = partsOf(await piecesOf(aiSdkModel({ model: twoToolModel(), tools: cityTools }), question))!;
    const followUp = new MockLanguageModelV4({ doStream: [step(...text('t2', 'Yes, warm.'), finish('stop'))] });
    const history: ModelMessage[] = [
      ...question,
      { role: 'assistant', content: 'It is 21 °C in Paris.', parts },
      { role: 'user', content: 'Is that warm?' },
    ];
    expect(await piecesOf(aiSdkModel({ model: followUp, tools: cityTools }), history)).toEqual(['Yes, warm.']);
    const prompt = followUp.doStreamCalls[0]!.prompt;
    // The record keeps the parts' order, not where each step began: the two calls go back as one step of calls.
    expect(prompt.map((message) => message.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(prompt.slice(2, 5)).toMatchObject([
      {
        role: 'assistant',
        content: [
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'find_city', input: { name: 'Paris' } },
          { type: 'tool-call', toolCallId: 'call-2', toolName: 'get_weather', input: { city: 'Paris' } },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call-1', toolName: 'find_city', output: { type: 'json', value: { city: 'Paris', country: 'FR' } } },
          { type: 'tool-result', toolCallId: 'call-2', toolName: 'get_weather', output: { type: 'json', value: { city: 'Paris', celsius: 21 } } },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'It is 21 °C in Paris.' }] },
    ]);
    // Reasoning stays out of what the model is sent back.
    expect(JSON.stringify(prompt)).not.toContain('Find the city first.');
  });

  it('makes a tool that throws an error result, and the reply goes on', async () => {
    const mock = new MockLanguageModelV4({
      doStream: [
        step(call('call-1', 'get_weather', { city: 'Atlantis' }), finish('tool-calls')),
        step(...text('t1', 'I could not find it.'), finish('stop')),
      ],
    });
    const failing = {
      get_weather: tool({
        inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
        execute: async ({ city }): Promise<{ celsius: number }> => {
          throw new Error(`No such city: ${city}`);
        },
      }),
    };
    const pieces = await piecesOf(aiSdkModel({ model: mock, tools: failing }), question);
    expect(pieces.slice(1)).toEqual([
      { type: 'tool-result', toolCallId: 'call-1', error: { code: 'tool_error', message: 'No such city: Atlantis' } },
      'I could not find it.',
    ]);
    expect(partsOf(pieces)?.[0]).toMatchObject({ state: 'error', error: { code: 'tool_error' } });
    // The model was told of the failure in its next step.
    expect(JSON.stringify(mock.doStreamCalls[1]!.prompt)).toContain('No such city: Atlantis');
  });

  it('gives an earlier failed tool back to the model as error text', async () => {
    const followUp = new MockLanguageModelV4({ doStream: [step(...text('t', 'Sorry.'), finish('stop'))] });
    const parts: ChatPart[] = [
      { type: 'tool', toolCallId: 'c', name: 'get_weather', input: { city: 'X' }, state: 'error', error: { code: 'aborted', message: 'Stopped' } },
      { type: 'text', text: 'Stopped early.' },
    ];
    await piecesOf(aiSdkModel({ model: followUp }), [...question, { role: 'assistant', content: 'Stopped early.', parts }, { role: 'user', content: 'Again?' }]);
    expect(followUp.doStreamCalls[0]!.prompt[3]).toMatchObject({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'c', output: { type: 'error-text', value: 'Stopped' } }],
    });
  });

  it('stops the loop where stopWhen says: one step, and the reply ends at the tool result', async () => {
    const mock = twoToolModel();
    const { isStepCount } = await import('ai');
    const pieces = await piecesOf(aiSdkModel({ model: mock, tools: cityTools, stopWhen: isStepCount(1) }), question);
    expect(pieces.at(-1)).toMatchObject({ type: 'tool-result', toolCallId: 'call-1' });
    expect(mock.doStreamCalls).toHaveLength(1);
  });

  it('ends with a model_error ModelError when the model fails', async () => {
    const mock = new MockLanguageModelV4({
      doStream: async () => {
        throw new Error('connection refused: secret-key-123');
      },
    });
    const run = piecesOf(aiSdkModel({ model: mock, maxRetries: 0 }), question);
    await expect(run).rejects.toBeInstanceOf(ModelError);
    await expect(run).rejects.toMatchObject({ code: 'model_error', message: 'The model failed' });
  });

  it('ends quietly when the reply is stopped mid-stream: the abort reaches the model, nothing more is yielded', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const mock = new MockLanguageModelV4({
      doStream: async ({ abortSignal }) => {
        seen = abortSignal;
        // The model says one word and then nothing, until it is cancelled.
        const stream = new ReadableStream<StreamPart>({
          start(controller) {
            for (const part of [{ type: 'stream-start', warnings: [] }, { type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Hel' }])
              controller.enqueue(part);
          },
        });
        return { stream: stream as never };
      },
    });
    const iterator = aiSdkModel({ model: mock }).stream({ messages: question, signal: controller.signal })[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ done: false, value: 'Hel' });
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(seen?.aborted).toBe(true);
  });
});

describe('toAiSdkPrompt', () => {
  const toolPart = (toolCallId: string): ChatPart => ({ type: 'tool', toolCallId, name: 'f', input: {}, state: 'done', output: toolCallId });

  it('ends a step where text or reasoning follows a tool, and keeps a turn without parts as its text', () => {
    const parts: ChatPart[] = [
      { type: 'text', text: 'Looking. ' },
      toolPart('a'),
      { type: 'reasoning', text: 'Now b.' },
      toolPart('b'),
      toolPart('c'),
      { type: 'text', text: 'Done.' },
    ];
    const { instructions, messages } = toAiSdkPrompt(
      [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: 'Looking. Done.', parts },
        { role: 'assistant', content: 'Plain.' },
      ],
      'You are chatkeep.',
    );
    expect(instructions).toBe('You are chatkeep.\n\nBe brief.');
    expect(messages.map((message) => [message.role, Array.isArray(message.content) ? message.content.map((part) => part.type) : message.content])).toEqual([
      ['user', 'Go'],
      ['assistant', ['text', 'tool-call']],
      ['tool', ['tool-result']],
      ['assistant', ['tool-call', 'tool-call']],
      ['tool', ['tool-result', 'tool-result']],
      ['assistant', ['text']],
      ['assistant', 'Plain.'],
    ]);
  });
});
