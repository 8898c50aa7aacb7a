import { EVENT } from '../../sdk/protocol';

/** What the guard saw of a stream that ended without its final event. */
export interface CutStream {
  /** The `id:` of the last event the client got, if any. */
  lastEventId: number | undefined;
  /** The reply's id, from the `start` event's assistant record, if a `start` went through. */
  startedReplyId: string | undefined;
}

/** Options for {@link guardFinalEvent}. */
export interface FinalEventGuardOptions {
  /**
   * Called once when the source ends (or fails) before a `done` or `error` event went through: answers the frames
   * that end the client's stream (the final event, framed), or `undefined` to end it as it is.
   */
  finish: (cut: CutStream) => Promise<string | undefined>;
  log: (error: unknown) => void;
}

const encoder = new TextEncoder();
const FINAL_EVENTS: ReadonlySet<string> = new Set([EVENT.done, EVENT.error]);

/**
 * Passes an event stream through unchanged while noting its last event, so the stream always ends with `done` or
 * `error`: when the source ends without one (the conversation object restarted mid-reply and its response body was
 * cut), the frames from `finish` are sent before the stream closes. Only the last complete frame of each chunk is
 * looked at (and `start` frames until the reply id is known), so a relayed delta costs no JSON parse.
 */
export function guardFinalEvent(source: ReadableStream<Uint8Array>, options: FinalEventGuardOptions): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const decoder = new TextDecoder();
  const cut: CutStream = { lastEventId: undefined, startedReplyId: undefined };
  let tail = '';
  let sawFinal = false;
  // Set when the client went away: a read pending then fails with the cancel, and there is nobody to tell.
  let cancelled = false;

  const note = (text: string): void => {
    tail += text;
    const end = tail.lastIndexOf('\n\n');
    if (end < 0) return;
    const frames = tail.slice(0, end).split('\n\n');
    tail = tail.slice(end + 2);
    if (cut.startedReplyId === undefined) {
      for (const frame of frames) {
        if (frame.includes(`event: ${EVENT.start}\n`)) cut.startedReplyId = startedReplyId(frame);
      }
    }
    // Comment frames (`: ping`) carry no event; the last framed event is what the client holds.
    for (let index = frames.length - 1; index >= 0; index--) {
      const fields = frameFields(frames[index] ?? '');
      if (fields.event === undefined) continue;
      if (fields.id !== undefined) cut.lastEventId = fields.id;
      sawFinal = FINAL_EVENTS.has(fields.event);
      break;
    }
  };

  const finish = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> => {
    if (cancelled) return;
    if (!sawFinal) {
      try {
        const frames = await options.finish(cut);
        if (frames !== undefined && !cancelled) controller.enqueue(encoder.encode(frames));
      } catch (error) {
        options.log(error);
      }
    }
    if (!cancelled) controller.close();
  };

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        if (cancelled) return;
        // The runtime tore the object's response down (a reset, an eviction, a code update): the client still gets
        // its final event.
        options.log(error);
        await finish(controller);
        return;
      }
      if (chunk.done) {
        note(decoder.decode());
        await finish(controller);
        return;
      }
      note(decoder.decode(chunk.value, { stream: true }));
      controller.enqueue(chunk.value);
    },
    // The client went away: the object sees its stream cancelled, and the reply runs on without it.
    cancel: (reason) => {
      cancelled = true;
      return reader.cancel(reason);
    },
  });
}

function frameFields(frame: string): { id: number | undefined; event: string | undefined } {
  let id: number | undefined;
  let event: string | undefined;
  for (const line of frame.split('\n')) {
    if (line.startsWith('id: ')) id = Number(line.slice(4));
    else if (line.startsWith('event: ')) event = line.slice(7);
  }
  return { id, event };
}

function startedReplyId(frame: string): string | undefined {
  const data = frame.split('\n').find((line) => line.startsWith('data: '));
  if (data === undefined) return undefined;
  try {
    const parsed = JSON.parse(data.slice(6)) as { assistantMessage?: { id?: unknown } };
    const id = parsed.assistantMessage?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
