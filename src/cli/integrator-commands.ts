/**
 * The commands that talk to a running Lyceum through its REST API rather than to its
 * database: `trigger`, `tail` and `export`.
 */
import type { Command } from 'commander';
import { exportCommand } from './export.js';
import { tailCommand } from './tail.js';
import { triggerCommand } from './trigger.js';

/** The remote commands, for the `lyceum` program to add. */
export function integratorCommands(): Command[] {
  return [triggerCommand(), tailCommand(), exportCommand()];
}
