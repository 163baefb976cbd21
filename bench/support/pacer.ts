/**
 * A steady offered load: calls `fire` `rate` times a second for `durationMs`, catching up on
 * missed ticks so that a slow tick does not lower the rate. Calls are not awaited one by one:
 * an open-loop load keeps arriving whatever the system under test does.
 */
export async function pace(
  rate: number,
  durationMs: number,
  fire: (index: number) => Promise<void>,
): Promise<number> {
  const total = Math.round((rate * durationMs) / 1000);
  const started = performance.now();
  const inFlight = new Set<Promise<void>>();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    while (sent < due) {
      const call = fire(sent).finally(() => inFlight.delete(call));
      inFlight.add(call);
      sent += 1;
    }
    const nextAt = started + (sent * 1000) / rate;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextAt - performance.now())));
  }
  await Promise.all(inFlight);
  return sent;
}
