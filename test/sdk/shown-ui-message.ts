import { readUIMessageStream, type UIMessage, type UIMessageChunk } from 'ai';

/** The message `useChat` would show after these chunks, read by the AI SDK itself; its errors go to `errors`. */
export async function shown(chunks: UIMessageChunk[], errors: unknown[] = []): Promise<UIMessage | undefined> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      chunks.forEach((chunk) => controller.enqueue(chunk));
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream({ stream, onError: (error) => errors.push(error) })) last = message;
  return last;
}
