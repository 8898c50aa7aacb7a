/** A user turn whose content holds this has its conversation object aborted part-way through the reply, once. */
export const ABORT_CUE = '[abort the object mid-reply]';

/**
 * A user turn whose content holds this has its conversation object aborted once its reply's final record is
 * written, as the `done` event leaves it (the event is lost with the object), once.
 */
export const ABORT_AT_END_CUE = '[abort the object as done leaves]';

/** The soak Worker's route that answers what it injected ({@link InjectedFaults}). */
export const FAULTS_PATH = '/__soak/faults';

/** What the soak's Worker counts of the faults it injected, for the run's figures. */
export interface InjectedFaults {
  kvPuts: number;
  kvPutsFailed: number;
  objectsAborted: number;
  /** Of those, aborted as `done` left. */
  objectsAbortedAtEnd: number;
}
