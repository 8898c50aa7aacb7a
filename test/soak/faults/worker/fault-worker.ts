/**
 * The Worker the fault soak runs in `wrangler dev` (test/soak/faults/worker/wrangler.jsonc): the deployable Worker's options
 * and code, with faults injected at the edges only — the KV binding both the Worker and its objects see fails a share
 * of puts, and the conversation object aborts itself (`ctx.abort()`, as a deploy or an eviction resets it) part-way
 * through the replies of turns that carry {@link ABORT_CUE}, or as the `done` of those that carry {@link ABORT_AT_END_CUE}
 * leaves. `GET /__soak/faults` answers what was injected.
 */
import {
  createChatWorker,
  createConversationClass,
  optionsFromEnv,
  type ChatDurableObjectState,
  type ChatKeepEnv,
  type ChatWorker,
  type ChatWorkerOptions,
} from '../../../../worker/index';
import type { ConversationCall } from '../../../../worker/conversation/conversation-call';
import { ABORT_AT_END_CUE, ABORT_CUE, FAULTS_PATH, type InjectedFaults } from './cues';
import { failingKv, InjectedKvFailure } from './failing-kv';

interface FaultEnv extends ChatKeepEnv {
  /** Share of KV puts that fail, 0 to 1. */
  SOAK_KV_PUT_FAILURE_RATE?: string;
}

/** The runtime's `DurableObjectState`, with the reset the soak uses. */
interface AbortableState extends ChatDurableObjectState {
  abort(reason?: string): void;
}

/** One isolate runs the Worker and its objects locally: these counts cover both. */
const faults: InjectedFaults = { kvPuts: 0, kvPutsFailed: 0, objectsAborted: 0, objectsAbortedAtEnd: 0 };

function options(env: FaultEnv): ChatWorkerOptions<FaultEnv> {
  const rate = Number(env.SOAK_KV_PUT_FAILURE_RATE ?? 0);
  return {
    ...optionsFromEnv(env),
    kv: (e) => failingKv(e.CHAT_KV, rate, faults),
    conversations: (e) => e.CHAT_CONVERSATIONS,
    // Injected failures are expected by the thousand; anything else is worth reading in wrangler's output.
    log: (error) => {
      if (!(error instanceof InjectedKvFailure) && !(error instanceof Error && error.cause instanceof InjectedKvFailure)) console.error(error);
    },
  };
}

let worker: ChatWorker<FaultEnv> | undefined;

export default {
  fetch(request: Request, env: FaultEnv, ctx: { waitUntil(promise: Promise<unknown>): void }): Promise<Response> {
    if (new URL(request.url).pathname === FAULTS_PATH) return Promise.resolve(Response.json(faults));
    worker ??= createChatWorker(options(env));
    return worker.fetch(request, env, ctx);
  },
};

/** Deltas an aborted reply gets through first: 1 to 30, from the turn's id, so replies are cut at many points. */
function deltasBeforeAbort(turnId: string): number {
  let sum = 0;
  for (let index = 0; index < turnId.length; index++) sum = (sum * 31 + turnId.charCodeAt(index)) >>> 0;
  return 1 + (sum % 30);
}

/** Where an aborted reply is cut: after this many deltas, or at its `done` event (its final record written). */
type AbortPoint = { deltas: number } | 'done';

/**
 * Passes `body` through and calls `abort` once `point` is reached; a `done` event where the abort is due is held
 * back, lost with the object.
 */
function abortAt(body: ReadableStream<Uint8Array>, point: AbortPoint, abort: () => void): ReadableStream<Uint8Array> {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  let seen = 0;
  let aborted = false;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        if (aborted) return controller.enqueue(chunk);
        const text = decoder.decode(chunk, { stream: true });
        if (point === 'done') {
          const done = text.search(/^id: \d+\nevent: done$/m);
          if (done < 0) return controller.enqueue(chunk);
          if (done > 0) controller.enqueue(encoder.encode(text.slice(0, done)));
        } else {
          controller.enqueue(chunk);
          seen += text.match(/^event: delta$/gm)?.length ?? 0;
          if (seen < point.deltas) return;
        }
        aborted = true;
        abort();
      },
    }),
  );
}

const Conversation = createConversationClass<FaultEnv>(options);

export class ChatConversation extends Conversation {
  constructor(
    private readonly runtimeState: AbortableState,
    env: FaultEnv,
  ) {
    super(runtimeState, env);
  }

  override async fetch(request: Request): Promise<Response> {
    const call = (await request.clone().json()) as ConversationCall;
    if (call.op !== 'chat' || call.turn.id === undefined) return super.fetch(request);
    const point: AbortPoint | undefined = call.turn.content.includes(ABORT_CUE)
      ? { deltas: deltasBeforeAbort(call.turn.id) }
      : call.turn.content.includes(ABORT_AT_END_CUE)
        ? 'done'
        : undefined;
    if (point === undefined) return super.fetch(request);
    // Once per turn, across the restart the abort causes: the user's retry of that turn runs to its end.
    const key = `soak-aborted:${call.turn.id}`;
    if ((await this.runtimeState.storage.get<boolean>(key)) === true) return super.fetch(request);
    const answer = await super.fetch(request);
    // A turn refused before its stream (a user-turn write failed) is aborted on the retry that starts it.
    if (answer.body === null || answer.status !== 200) return answer;
    await this.runtimeState.storage.put(key, true);
    const body = abortAt(answer.body, point, () => {
      faults.objectsAborted++;
      if (point === 'done') faults.objectsAbortedAtEnd++;
      try {
        this.runtimeState.abort('soak: the object is reset mid-reply');
      } catch {
        // abort() throws in its caller by design: the object is gone either way.
      }
    });
    return new Response(body, answer);
  }
}
