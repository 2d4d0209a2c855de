/** JSON on stdout for scripts; bigints (seeds) are written as decimal strings. */
export function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
