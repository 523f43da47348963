// A fixed number of calls in flight at once: reading or steering a wave of upgrades must not send the Temporal
// frontend hundreds of requests in one burst.

/** Maps `items` through `fn`, at most `limit` calls at a time; results keep the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i] as T);
    }),
  );
  return out;
}
