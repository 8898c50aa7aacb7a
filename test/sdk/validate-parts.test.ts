// Records with parts, as the SDK validates every record from the network before it is shown or stored: a table of
// well-formed and malformed ones.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sdk/protocol';
import { isMessageOf, isPart } from '../../sdk/validate';

const SESSION = 'session-0001';
const reply = (over: Record<string, unknown>): ChatMessage =>
  ({
    id: 'turn-0001_r',
    sessionId: SESSION,
    role: 'assistant',
    content: 'It is noon.',
    timestamp: '2026-01-01T00:00:00.000Z',
    status: 'complete',
    replyTo: 'turn-0001',
    ...over,
  }) as ChatMessage;
const tool = (over: Record<string, unknown> = {}) => ({
  type: 'tool',
  toolCallId: 'call-1',
  name: 'get_time',
  input: { timezone: 'UTC' },
  state: 'done',
  output: { iso: '2026-01-01T12:00:00.000Z' },
  ...over,
});
const text = (value: string) => ({ type: 'text', text: value });

describe('isMessageOf with parts', () => {
  it.each([
    ['no parts at all (a record of today)', reply({})],
    ['reasoning, a tool, text', reply({ parts: [{ type: 'reasoning', text: 'Hm.' }, tool(), text('It is noon.')] })],
    ['text around a tool', reply({ parts: [text('It is '), tool(), text('noon.')] })],
    ['a running tool, no text yet', reply({ content: '', status: 'streaming', parts: [tool({ state: 'running', output: undefined })] })],
    ['a failed tool', reply({ content: '', parts: [tool({ state: 'error', output: undefined, error: { code: 'tool_error', message: 'down' } })] })],
    ['null as input and output', reply({ content: '', parts: [tool({ input: null, output: null })] })],
    ['no parts (empty list) and no text', reply({ content: '', parts: [] })],
  ])('takes %s', (_label, record) => {
    expect(isMessageOf(record, SESSION)).toBe(true);
  });

  it.each([
    ['parts that are no list', reply({ parts: { 0: text('It is noon.') } })],
    ['content that is not the text parts joined', reply({ parts: [text('It is'), tool()] })],
    ['content with the reasoning in it', reply({ content: 'Hm.It is noon.', parts: [{ type: 'reasoning', text: 'Hm.' }, text('It is noon.')] })],
    ['parts on a user turn', reply({ role: 'user', replyTo: undefined, parts: [text('It is noon.')] })],
    ['an unknown part type', reply({ parts: [text('It is noon.'), { type: 'image', url: 'x' }] })],
    ['a text part without text', reply({ content: '', parts: [{ type: 'text' }] })],
    ['a tool without a name', reply({ content: '', parts: [tool({ name: undefined })] })],
    ['a tool with an empty call id', reply({ content: '', parts: [tool({ toolCallId: '' })] })],
    ['a tool without input', reply({ content: '', parts: [tool({ input: undefined })] })],
    ['a tool of an unknown state', reply({ content: '', parts: [tool({ state: 'finished' })] })],
    ['a done tool without output', reply({ content: '', parts: [tool({ output: undefined })] })],
    ['a done tool with an error', reply({ content: '', parts: [tool({ error: { code: 'x', message: 'y' } })] })],
    ['a running tool with output', reply({ content: '', parts: [tool({ state: 'running' })] })],
    ['an error tool without its error', reply({ content: '', parts: [tool({ state: 'error', output: undefined })] })],
    ['an error tool whose error has no message', reply({ content: '', parts: [tool({ state: 'error', output: undefined, error: { code: 'x' } })] })],
    ['two tools with one call id', reply({ content: '', parts: [tool(), tool()] })],
    ['a null part', reply({ content: '', parts: [null] })],
  ])('refuses %s', (_label, record) => {
    expect(isMessageOf(record, SESSION)).toBe(false);
  });

  it('isPart knows the three kinds and nothing else', () => {
    expect([text(''), { type: 'reasoning', text: '' }, tool()].every(isPart)).toBe(true);
    expect([undefined, 'text', { type: 'text', text: 1 }, { type: 'reasoning' }, { type: 'tool' }].some(isPart)).toBe(false);
  });
});
