#!/usr/bin/env node
// npx astro-d1-notify migrations [--into migrations] [--dry-run]: see integration/cli/migrations.mjs.
import { runMigrationsCommand } from './migrations.mjs';

const [command, ...args] = process.argv.slice(2);
if (command === 'migrations') {
  process.exitCode = runMigrationsCommand(args, process.cwd(), console);
} else {
  console.error('usage: npx astro-d1-notify migrations [--into <dir>] [--dry-run]');
  process.exitCode = 2;
}
