/**
 * The AI SDK's own mock language model (`ai/test`) streaming a reply of text deltas, for the line of row 8 that
 * takes the provider's parsing out: what is left is `streamText` and aiSdkModel.
 */
import { MockLanguageModelV4 } from 'ai/test';
import { aiSdkModel } from '../../../worker/providers/ai-sdk-model';
import type { ModelProvider } from '../../../worker/providers/model-provider';

type StreamPart = { type: string } & Record<string, unknown>;

const usage = {
  inputTokens: { total: 1, noCache: 1, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 1, text: 1, reasoning: undefined },
};

/** aiSdkModel over a mock model streaming `pieces` text deltas, one per read; `onPull` runs before each read. */
export function aiSdkMockModel(pieces: readonly string[], onPull?: () => void): ModelProvider {
  const parts: StreamPart[] = [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't' },
    ...pieces.map((delta) => ({ type: 'text-delta', id: 't', delta })),
    { type: 'text-end', id: 't' },
    { type: 'finish', finishReason: { unified: 'stop', raw: undefined }, usage },
  ];
  const model = new MockLanguageModelV4({
    doStream: async () => {
      let index = 0;
      const stream = new ReadableStream<StreamPart>({
        pull(controller) {
          onPull?.();
          const part = parts[index++];
          if (part === undefined) controller.close();
          else controller.enqueue(part);
        },
      });
      return { stream: stream as never };
    },
  });
  return aiSdkModel({ model, maxRetries: 0 });
}
