/**
 * Runs `build` once for the life of a Lambda instance and shares its promise with every later caller. A failed build
 * is not kept: the next call tries again, instead of failing every invocation until the instance is recycled.
 *
 * @example
 * const deps = oncePerInstance(() => buildStatusDeps());
 * export const handler = async (event: unknown) => handleCommandEvent(event, await deps());
 */
export function oncePerInstance<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
