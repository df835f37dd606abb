#!/usr/bin/env node
/**
 * `npx astro-d1-notify <command>`: every operation a host runs (integration/cli/commands.mjs).
 * The commands are TypeScript, loaded through tsx's ESM API in its own namespace (so nothing
 * else in the host's process is transformed): Node refuses to strip types under node_modules,
 * and the sources import without file extensions. Errors print as one message and an exit
 * code (2 for a usage or configuration error, 1 otherwise), never a stack trace, and with any
 * secret from the environment blanked out.
 */
import { readFileSync } from 'node:fs';
import { commandHelp, COMMANDS, helpText } from './commands.mjs';

const [name, ...args] = process.argv.slice(2);

/** Values of secret-looking environment variables, to blank out of any message. */
const secrets = Object.entries(process.env)
  .filter(([key, value]) => /TOKEN|SECRET|PASSWORD|KEY/i.test(key) && value && value.trim().length >= 8)
  .map(([, value]) => value.trim());
const redact = (text) => secrets.reduce((out, secret) => out.split(secret).join('[redacted]'), String(text));

async function main() {
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? console.error : console.log)(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    console.error(`astro-d1-notify: unknown command ${JSON.stringify(name)}.\n\n${helpText()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(commandHelp(command));
    return 0;
  }
  const { register } = await import('tsx/esm/api');
  const api = register({ namespace: 'astro-d1-notify' });
  const module = await api.import(command.module, import.meta.url);
  const context = { env: process.env, root: process.cwd(), log: (line) => console.log(line) };
  return module[command.run](args, context);
}

const USAGE = new Set(['UsageError', 'AstroUserError', 'RangeError']);
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    const usage = USAGE.has(error?.name);
    console.error(redact(`astro-d1-notify ${name}: ${error?.message ?? error}`));
    if (error?.hint) console.error(redact(error.hint));
    if (usage && error?.name === 'UsageError') console.error(`See: npx astro-d1-notify ${name} --help`);
    process.exitCode = usage ? 2 : 1;
  },
);
