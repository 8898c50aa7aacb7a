/**
 * The `recorded-tool-loop` model of the fake OpenAI-compatible server (support/openai-server.ts): a reasoning model
 * with one tool, answering from fixed chunk files in the shape reasoning providers stream (`reasoning_content`
 * deltas, a tool call whose arguments arrive in pieces, `finish_reason: "tool_calls"`, a usage chunk with no
 * choices). Which file answers depends on the request, as a real model's answer would:
 *   - a first turn that offers `get_weather`: step 1 (reasoning, then the call `call_0_8c1e2d5b`);
 *   - the same turn sent back with the call and its result: step 2 (the answer's text);
 *   - a later turn (an earlier tool result in the history): one text chunk holding the `messages` received, as JSON.
 * Anything else is a 400 naming what was wrong, so a client that sends the tool loop back wrongly fails its test.
 * The bytes go out in slices of a fixed size that cut lines, JSON and a UTF-8 character (°) apart, as proxies do.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';

export const RECORDED_TOOL_CALL_ID = 'call_0_8c1e2d5b';
const SLICE_BYTES = 61;

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/openai-compatible/${name}`, import.meta.url));
const STEP_1 = fixture('tool-loop-step-1.sse');
const STEP_2 = fixture('tool-loop-step-2.sse');

interface ChatCompletionMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface RecordedRequest {
  messages: ChatCompletionMessage[];
  tools?: { type: string; function: { name: string } }[];
}

/** What is wrong with a request for step 2 (the call and its result sent back), or `undefined`. */
function stepTwoProblem(messages: readonly ChatCompletionMessage[]): string | undefined {
  const call = messages.at(-2);
  const result = messages.at(-1);
  const sentCall = call?.tool_calls?.[0];
  if (call?.role !== 'assistant' || sentCall?.id !== RECORDED_TOOL_CALL_ID || sentCall.function.name !== 'get_weather')
    return 'the assistant message before the tool result does not hold the call';
  if (JSON.stringify(JSON.parse(sentCall.function.arguments)) !== '{"city":"Paris"}') return 'the call lost its arguments';
  if (result?.tool_call_id !== RECORDED_TOOL_CALL_ID) return 'the tool result names another call';
  return undefined;
}

function writeInSlices(res: ServerResponse, bytes: Buffer): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let at = 0; at < bytes.length; at += SLICE_BYTES) res.write(bytes.subarray(at, at + SLICE_BYTES));
  res.end();
}

function refuse(res: ServerResponse, message: string): void {
  res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message } }));
}

export function answerRecordedToolLoop(body: RecordedRequest, res: ServerResponse): void {
  const { messages } = body;
  const last = messages.at(-1);
  if (last?.role === 'tool') {
    const problem = stepTwoProblem(messages);
    if (problem === undefined) writeInSlices(res, STEP_2);
    else refuse(res, problem);
    return;
  }
  if (last?.role !== 'user') return refuse(res, 'the last message is neither a user turn nor a tool result');
  if (messages.some((message) => message.role === 'tool')) {
    const chunk = { id: 'chatcmpl-echo', object: 'chat.completion.chunk', created: 1767322802, model: 'reasoner-tools', choices: [{ index: 0, delta: { content: JSON.stringify(messages) }, finish_reason: 'stop' }] };
    writeInSlices(res, Buffer.from(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`));
    return;
  }
  if (!body.tools?.some((tool) => tool.function.name === 'get_weather')) return refuse(res, 'get_weather was not offered');
  writeInSlices(res, STEP_1);
}
