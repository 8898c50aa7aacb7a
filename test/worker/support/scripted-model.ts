import type { ModelMessage, ModelPiece, ModelProvider } from '../../../worker/index';

/**
 * A step of a scripted model: a piece of text, a structured piece (reasoning, a tool call or result), a pause until
 * `release()`, a failure, or silence until aborted (a tool that never answers, a stalled model).
 */
export type ScriptStep = string | Exclude<ModelPiece, string> | { wait: Promise<void> } | { fail: Error } | { hang: true };

export interface ScriptedModel extends ModelProvider {
  /** The messages each call received. */
  calls: ModelMessage[][];
  /** How many pieces have been handed out so far. */
  yielded: number;
}

/**
 * A model whose output the test writes step by step — to hold a reply mid-stream, fail it, or fall silent. Not a
 * stand-in for the providers (they have their own tests); it drives the Worker's streaming rules.
 */
export function scriptedModel(steps: ScriptStep[], onPiece?: (index: number) => void): ScriptedModel {
  const model: ScriptedModel = {
    name: 'scripted',
    calls: [],
    yielded: 0,
    async *stream({ messages, signal }) {
      model.calls.push(messages);
      for (const step of steps) {
        if (signal.aborted) return;
        if (typeof step === 'string' || 'type' in step) {
          onPiece?.(model.yielded);
          model.yielded++;
          yield step;
        } else if ('wait' in step) await step.wait;
        else if ('fail' in step) throw step.fail;
        else
          await new Promise<void>((resolve) => {
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
      }
    },
  };
  return model;
}

/** A promise with its resolver, to hold a scripted model at a point. */
export function gate(): { wait: Promise<void>; release: () => void } {
  let release = () => {};
  const wait = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { wait, release };
}
