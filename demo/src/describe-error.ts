import { ChatError } from 'chatkeep';
import type { ServerProblem } from './server-watch';

/** An error as a line for a person: its message, and its stable code when it has one. */
export function describe(error: unknown): string {
  if (error instanceof ChatError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** What the server answered instead of taking a request, as a line for a person. */
export function describeProblem({ status, code, message }: ServerProblem): string {
  return `${message} (${status} ${code})`;
}
