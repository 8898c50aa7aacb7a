/**
 * The bytes an OpenAI-compatible server streams for a reply of `pieces` deltas: one `data:` event per delta, then
 * `[DONE]`. Served from memory to the Worker's real OpenAI provider, so the CPU row includes reading the model's SSE.
 */
const encoder = new TextEncoder();

export function openAiReplyChunks(pieces: number, piece: (i: number) => string = (i) => ` word${i}`): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < pieces; i++) {
    const chunk = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece(i) }, finish_reason: null }] };
    chunks.push(encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`));
  }
  const last = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
  chunks.push(encoder.encode(`data: ${JSON.stringify(last)}\n\ndata: [DONE]\n\n`));
  return chunks;
}
