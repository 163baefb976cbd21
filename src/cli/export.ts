/**
 * `lyceum export <resource> --out FILE`: writes a time window of users, courses, enrollments,
 * certifications or events as NDJSON or CSV through the paginated REST API. The window's end is
 * pinned (to now when --until is left out) and saved with the cursor after every page, so the
 * same command run again after an interruption resumes and yields exactly the full result.
 */
import { existsSync } from 'node:fs';
import { Command, Option } from 'commander';
import type { LyceumClient } from '../../packages/sdk/src/index.js';
import { csvRecord } from './csv.js';
import {
  appendDurably,
  type ExportState,
  readExportState,
  removeExportState,
  statePathOf,
  truncateOutput,
  writeExportState,
} from './export-file.js';
import { ExportProgress } from './export-progress.js';
import {
  EXPORT_SOURCES,
  EXPORTABLE,
  type ExportableName,
  type ExportSource,
} from './export-sources.js';
import {
  parseInstant,
  type RemoteOptions,
  remoteClient,
  withRemoteOptions,
} from './remote-client.js';
import { UsageError } from './usage-error.js';

interface ExportOptions extends RemoteOptions {
  out: string;
  since?: string;
  until?: string;
  format?: 'ndjson' | 'csv';
  pageSize: string;
}

/** `lyceum export <resource> --out FILE [--since] [--until] [--format] [--page-size]`. */
export function exportCommand(): Command {
  return withRemoteOptions(
    new Command('export')
      .description(
        'Export a time window as NDJSON or CSV; run it again to resume after an interruption',
      )
      .argument('<resource>', EXPORTABLE.join(', '))
      .requiredOption('--out <file>', 'where to write')
      .option(
        '--since <instant>',
        'from this ISO 8601 instant (inclusive); the beginning if left out',
      )
      .option('--until <instant>', 'up to this ISO 8601 instant (exclusive); now if left out')
      .addOption(
        new Option('--format <format>', 'ndjson, or csv (the default for a .csv file)').choices([
          'ndjson',
          'csv',
        ]),
      )
      .option('--page-size <n>', 'rows per request, 1 to 100', '100'),
  ).action(async (resource: string, options: ExportOptions) => {
    if (!(EXPORTABLE as readonly string[]).includes(resource)) {
      throw new UsageError(`cannot export "${resource}"; one of: ${EXPORTABLE.join(', ')}`);
    }
    const pageSize = Number(options.pageSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
      throw new UsageError('--page-size must be a whole number from 1 to 100');
    }
    const client = remoteClient(options);
    const state = startOrResume(resource, options);
    await runExport(
      client,
      EXPORT_SOURCES[resource as ExportableName],
      state,
      options.out,
      pageSize,
    );
  });
}

/** The saved state of an interrupted run of the same export, or a fresh one. */
function startOrResume(resource: string, options: ExportOptions): ExportState {
  const out = options.out;
  const format = options.format ?? (out.endsWith('.csv') ? 'csv' : 'ndjson');
  const since = parseInstant('--since', options.since) ?? null;
  const until = parseInstant('--until', options.until);

  const saved = readExportState(out);
  if (saved) {
    const same =
      saved.resource === resource &&
      saved.format === format &&
      (options.since === undefined || saved.since === since) &&
      (until === undefined || saved.until === until);
    if (!same) {
      throw new UsageError(
        `${statePathOf(out)} belongs to an export of ${saved.resource} (${saved.format}, ${saved.since ?? 'the beginning'} to ${saved.until}); run that again to resume it, or remove the state file and ${out}`,
      );
    }
    truncateOutput(out, saved.bytes);
    return saved;
  }

  if (existsSync(out)) {
    throw new UsageError(
      `${out} already exists and there is no export to resume; remove it or choose another --out`,
    );
  }
  const state: ExportState = {
    version: 1,
    resource,
    format,
    since,
    until: until ?? new Date().toISOString(),
    cursor: null,
    count: 0,
    bytes: 0,
  };
  writeExportState(out, state);
  truncateOutput(out, 0);
  return state;
}

async function runExport(
  client: LyceumClient,
  source: ExportSource,
  state: ExportState,
  out: string,
  pageSize: number,
): Promise<void> {
  const resumed = state.count > 0 || state.cursor !== null;
  const window = { since: state.since, until: state.until };
  const progress = new ExportProgress(process.stderr, state.resource, {
    since: state.since === null ? null : Date.parse(state.since),
    until: Date.parse(state.until),
  });
  process.once('SIGINT', () => {
    progress.finish(
      `Interrupted after ${state.count} ${state.resource}; run the same command again to resume.`,
    );
    process.exit(130);
  });

  if (state.format === 'csv' && state.bytes === 0) {
    state.bytes += appendDurably(out, `${source.columns.join(',')}\n`);
    writeExportState(out, state);
  }

  for (;;) {
    const step = await source.step(client, state.cursor, window, pageSize);
    const lines = step.rows.map((row) =>
      state.format === 'csv' ? csvRecord(source.columns, row) : JSON.stringify(row),
    );
    state.bytes += appendDurably(out, lines.map((line) => `${line}\n`).join(''));
    state.count += step.rows.length;
    state.cursor = step.cursor;
    writeExportState(out, state);

    const last = step.rows.at(-1);
    const at = source.timeField && last ? Date.parse(String(last[source.timeField])) : undefined;
    progress.update(state.count, at);
    if (step.done) break;
  }

  removeExportState(out);
  const range = `${state.since ?? 'the beginning'} to ${state.until}`;
  progress.finish(
    `${resumed ? 'Resumed and exported' : 'Exported'} ${state.count} ${state.resource} (${range}) to ${out}`,
  );
}
