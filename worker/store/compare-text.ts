/** Orders two strings by UTF-16 code units, as ISO timestamps and ids sort; for `Array.prototype.sort`. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
