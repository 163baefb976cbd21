/**
 * Working out what a PATCH really changes, so an update that changes nothing records no event
 * and an update event can say which fields moved.
 */

/** The keys of `patch` whose value differs from `current` (undefined means "not sent"). */
export function changedFields<T extends object>(current: T, patch: Partial<T>): (keyof T)[] {
  return (Object.keys(patch) as (keyof T)[]).filter(
    (field) => patch[field] !== undefined && patch[field] !== current[field],
  );
}
