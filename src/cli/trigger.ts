/**
 * `lyceum trigger <event-type>`: creates the real objects behind an event type through the
 * REST API, so the event happens for real, then prints what it created and the events that
 * resulted (found in the event feed by the ids it created).
 */
import { Command } from 'commander';
import {
  type EventEnvelope,
  LYCEUM_EVENT_TYPES,
  type LyceumClient,
  type LyceumEventType,
  paginate,
} from '../../packages/sdk/src/index.js';
import { type RemoteOptions, remoteClient, withRemoteOptions } from './remote-client.js';
import { TRIGGER_RECIPES, type TriggerRun } from './trigger-recipes.js';
import { UsageError } from './usage-error.js';

interface TriggerOptions extends RemoteOptions {
  endpoint?: string;
  json?: boolean;
}

/** `lyceum trigger <event-type> [--endpoint] [--json]`. */
export function triggerCommand(): Command {
  return withRemoteOptions(
    new Command('trigger')
      .description('Make an event happen for real, through the REST API, to try a receiver')
      .argument('<event-type>', `one of: ${LYCEUM_EVENT_TYPES.join(', ')}`)
      .option('--endpoint <id>', 'the webhook endpoint a webhook.test goes to (whk_…)')
      .option('--json', 'print one JSON object: what was created and the events it caused'),
  ).action(async (type: string, options: TriggerOptions) => {
    if (!(LYCEUM_EVENT_TYPES as readonly string[]).includes(type)) {
      throw new UsageError(
        `"${type}" is not an event type; one of: ${LYCEUM_EVENT_TYPES.join(', ')}`,
      );
    }
    const recipe = TRIGGER_RECIPES[type as LyceumEventType];
    if ('refused' in recipe) throw new UsageError(recipe.refused);

    const run: TriggerRun = {
      client: remoteClient(options),
      tag: `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`,
      steps: [],
      endpoint: options.endpoint,
      eventIds: [],
    };
    await recipe(run);
    const events = await causedEvents(run);
    if (!events.some((event) => event.type === type)) {
      throw new Error(`the changes were made but no ${type} event is in the feed yet`);
    }
    print(type, run, events, options.json === true);
  });
}

/** The events whose data names something this run created, from the feed since it began. */
async function causedEvents(run: TriggerRun): Promise<EventEnvelope[]> {
  if (run.eventIds.length > 0) {
    return run.eventIds.map((id) => ({ id, type: 'webhook.test', timestamp: '', data: {} }));
  }
  const ids = new Set(run.steps.map((step) => step.id));
  const since = run.steps.map((step) => step.at).find((at) => at !== undefined);
  return collect(run.client, since, (event) =>
    Object.values(event.data).some((value) => ids.has(String(value))),
  );
}

async function collect(
  client: LyceumClient,
  since: string | undefined,
  keep: (event: EventEnvelope) => boolean,
): Promise<EventEnvelope[]> {
  const found: EventEnvelope[] = [];
  for await (const event of paginate(client.events.list, { since, limit: 100 })) {
    if (keep(event)) found.push(event);
  }
  return found;
}

function print(type: string, run: TriggerRun, events: EventEnvelope[], json: boolean): void {
  if (json) {
    const created = run.steps.map(({ action, id, detail }) => ({ action, id, detail }));
    const caused = events.map(({ id, type: eventType }) => ({ id, type: eventType }));
    process.stdout.write(`${JSON.stringify({ type, steps: created, events: caused })}\n`);
    return;
  }
  for (const step of run.steps) {
    process.stdout.write(`${step.action} ${step.id}${step.detail ? ` (${step.detail})` : ''}\n`);
  }
  process.stdout.write('Events:\n');
  for (const event of events) {
    const mark = event.type === type ? '  ← triggered' : '';
    process.stdout.write(`  ${event.id}  ${event.type}${mark}\n`);
  }
}
