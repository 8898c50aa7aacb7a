/**
 * An ISO timestamp from `nowMs`, strictly later than `afterIso` when given. workerd's clock does not advance
 * without I/O, so two writes in one request can read the same `Date.now()`; a reply must still sort after its
 * user turn.
 */
export function isoAfter(nowMs: number, afterIso?: string): string {
  const after = afterIso === undefined ? Number.NEGATIVE_INFINITY : Date.parse(afterIso);
  return new Date(Math.max(nowMs, after + 1)).toISOString();
}
