/**
 * The envelope every event travels in, on the feed and in every webhook body.
 */

import type { EventTable } from '../db/schema.js';
import { toIso } from '../shared/clock.js';

export interface EventEnvelope {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Builds the envelope from a stored row. */
export function envelopeFromRow(
  row: Pick<EventTable, 'id' | 'type' | 'data' | 'created_at'>,
): EventEnvelope {
  return {
    id: row.id,
    type: row.type,
    timestamp: toIso(row.created_at),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
