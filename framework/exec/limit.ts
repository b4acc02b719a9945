/**
 * The one concurrency limiter (on p-limit): run `work` over `items`, at most `limit` at once,
 * results in input order.
 *
 * Every item runs to completion even when one fails, and only then is the first failure (in
 * input order) thrown, as it is (so `instanceof AbortedError` and friends keep working): a
 * caller that cleans up on error then sees everything that was created, and no work is left
 * running behind its back.
 */
import pLimit from "p-limit";

export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const run = pLimit(Math.max(1, limit));
  const settled = await Promise.allSettled(items.map((item, i) => run(() => work(item, i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}
