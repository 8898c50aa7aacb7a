import { isFinalStatus, type ChatMessage } from '../../../sdk/protocol';
import type { TurnResult } from '../protocol-client';
import type { SentTurn } from '../tally';

/** One turn of the fault soak, as sent and as its client ended it. */
export interface FaultTurn extends SentTurn, Pick<TurnResult, 'dones' | 'acknowledged' | 'finalMs'> {
  /** Where the turn asked for its object to be aborted: mid-reply, or as `done` leaves (its final record written). */
  abort: 'mid-reply' | 'at-end' | undefined;
}

/** What the fault soak holds the Worker to, beside the plain soak's figures. */
export interface FaultFigures {
  /** Acknowledged user turns (a `start` reached the client) that history does not hold. */
  acknowledgedLost: number;
  /** `done` records a client received that history does not hold as they were sent. */
  donesMissing: number;
  /** Turns whose reply history does not hold as final. */
  notFinal: number;
  /** Turns whose client knew no final reply within `finalWithinMs` of its first request (or never). */
  late: number;
  slowestFinalMs: number;
  /** Turns that saw their reply end `interrupted` and sent it again. */
  retriedAfterInterrupt: number;
  /** Turns whose object was aborted once their reply's final record was written, and that were told `interrupted`. */
  endedShownInterrupted: number;
}

/** The fields a `done` record and its stored record must agree on. */
function sameRecord(a: ChatMessage, b: ChatMessage): boolean {
  return (
    a.id === b.id &&
    a.role === b.role &&
    a.status === b.status &&
    a.content === b.content &&
    a.replyTo === b.replyTo &&
    a.updatedAt === b.updatedAt &&
    JSON.stringify(a.parts ?? null) === JSON.stringify(b.parts ?? null)
  );
}

/** Compares what the fault soak's clients learned with every conversation's history. Pure. */
export function faultTally(sent: readonly FaultTurn[], histories: ReadonlyMap<string, ChatMessage[]>, finalWithinMs: number): FaultFigures {
  const figures: FaultFigures = {
    acknowledgedLost: 0,
    donesMissing: 0,
    notFinal: 0,
    late: 0,
    slowestFinalMs: 0,
    retriedAfterInterrupt: 0,
    endedShownInterrupted: 0,
  };
  for (const turn of sent) {
    const history = histories.get(turn.sessionId) ?? [];
    const stored = history.find((m) => m.role === 'user' && m.id === turn.messageId && m.content === turn.content);
    const reply = history.find((m) => m.role === 'assistant' && m.replyTo === turn.messageId);
    if (turn.acknowledged && stored === undefined) figures.acknowledgedLost++;
    for (const done of turn.dones) if (!history.some((m) => sameRecord(m, done))) figures.donesMissing++;
    if (reply === undefined || !isFinalStatus(reply.status)) figures.notFinal++;
    if (turn.finalMs === undefined || turn.finalMs > finalWithinMs) figures.late++;
    figures.slowestFinalMs = Math.max(figures.slowestFinalMs, turn.finalMs ?? Number.POSITIVE_INFINITY);
    if (turn.requests.includes('interrupted')) {
      figures.retriedAfterInterrupt++;
      if (turn.abort === 'at-end') figures.endedShownInterrupted++;
    }
  }
  return figures;
}
