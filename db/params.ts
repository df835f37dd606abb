/** D1 refuses a statement with more than 100 bound parameters (a platform limit; ARCHITECTURE.md). */
export const D1_MAX_PARAMS = 100;

/**
 * Splits rows for multi-row INSERTs so that no statement binds more than D1's limit.
 * `paramsPerRow` is the worst case for one row (the number of columns it binds).
 */
export function chunkForParams<T>(rows: readonly T[], paramsPerRow: number): T[][] {
  if (paramsPerRow < 1 || paramsPerRow > D1_MAX_PARAMS) throw new Error(`paramsPerRow must be 1..${D1_MAX_PARAMS}`);
  const size = Math.floor(D1_MAX_PARAMS / paramsPerRow);
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}

/** The number of rows a D1 write changed (`meta.changes`), 0 when the driver gives none. */
export const changedRows = (result: { meta?: { changes?: number } }): number => result.meta?.changes ?? 0;
