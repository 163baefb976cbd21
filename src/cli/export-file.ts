/**
 * The output of `lyceum export` and the state file beside it (`FILE.lyceum-export.json`) that
 * makes an interrupted export resumable. After each page the rows are appended and fsynced,
 * then the state (cursor, window, row count and the byte length of the output that holds
 * complete rows) is replaced atomically. A restart truncates the output to that length, which
 * drops a partial line or a page written after the last saved state, and goes on from the
 * saved cursor: no row is lost and none is written twice.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { UsageError } from './usage-error.js';

/** What a resumed export needs to go on exactly where it stopped. */
export interface ExportState {
  version: 1;
  resource: string;
  format: 'ndjson' | 'csv';
  since: string | null;
  until: string;
  /** The source's position; null before the first page. */
  cursor: unknown;
  /** Rows written so far. */
  count: number;
  /** The length of the output up to the last complete page. */
  bytes: number;
}

/** The state file of `out`. */
export function statePathOf(out: string): string {
  return `${out}.lyceum-export.json`;
}

/** The saved state of an interrupted export into `out`, if there is one. */
export function readExportState(out: string): ExportState | undefined {
  const path = statePathOf(out);
  if (!existsSync(path)) return undefined;
  let state: ExportState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as ExportState;
  } catch {
    throw new UsageError(
      `${path} is not a readable export state; remove it and ${out} to start over`,
    );
  }
  if (state.version !== 1 || typeof state.bytes !== 'number' || typeof state.until !== 'string') {
    throw new UsageError(
      `${path} is not an export state this version knows; remove it and ${out} to start over`,
    );
  }
  return state;
}

/** Replaces the state file in one rename, so a crash leaves the old state or the new one. */
export function writeExportState(out: string, state: ExportState): void {
  const path = statePathOf(out);
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, `${JSON.stringify(state)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

/** Removes the state file once the export is complete. */
export function removeExportState(out: string): void {
  rmSync(statePathOf(out), { force: true });
}

/** Cuts the output back to the last complete page, creating it if it is not there. */
export function truncateOutput(out: string, bytes: number): void {
  if (!existsSync(out)) {
    if (bytes > 0) {
      throw new UsageError(
        `${out} is gone but its export state is not; remove ${statePathOf(out)} to start over`,
      );
    }
    writeFileSync(out, '');
    return;
  }
  const size = statSync(out).size;
  if (size < bytes) {
    throw new UsageError(`${out} is shorter than its export state says; remove both to start over`);
  }
  truncateSync(out, bytes);
}

/** Appends `text` to the output and waits until it is on disk; returns the bytes written. */
export function appendDurably(out: string, text: string): number {
  if (text === '') return 0;
  const bytes = Buffer.from(text, 'utf8');
  const fd = openSync(out, 'a');
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return bytes.length;
}
