/**
 * A burst of writes from several writers at once, the way an API answering that many requests
 * at a time commits them: `writers` loops, each starting the next write when its last one is
 * done, until `total` writes were made.
 */
export async function writeConcurrently(
  total: number,
  writers: number,
  write: () => Promise<unknown>,
): Promise<void> {
  let left = total;
  const writer = async () => {
    while (left > 0) {
      left -= 1;
      await write();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(writers, total)) }, writer));
}
