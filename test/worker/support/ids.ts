let counter = 0;

/** A fresh valid id per call, readable in failures; `prefix` keeps sessions of different tests apart. */
export function uniqueId(prefix = 'id'): string {
  counter++;
  return `${prefix}-${Date.now().toString(36)}-${counter.toString().padStart(5, '0')}`;
}
