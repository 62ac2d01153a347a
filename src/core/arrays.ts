// Array helpers for data that comes from files. `out.push(...items)` and `Math.max(...items)` pass every item
// as a call argument: past about 120,000 items (a file with 130,000 diagnostics or flags) that overflows the call
// stack. These loop instead.

/** out.push(...items), without the spread. */
export function pushAll<T>(out: T[], items: readonly T[]): T[] {
  for (const x of items) out.push(x);
  return out;
}
