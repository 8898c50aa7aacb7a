/** A user turn whose content holds this has its conversation object aborted part-way through the reply, once. */
export const ABORT_CUE = '[abort the object mid-reply]';

/** The soak Worker's route that answers what it injected ({@link InjectedFaults}). */
export const FAULTS_PATH = '/__soak/faults';

/** What the soak's Worker counts of the faults it injected, for the run's figures. */
export interface InjectedFaults {
  kvPuts: number;
  kvPutsFailed: number;
  objectsAborted: number;
}
