import { readFileSync } from 'node:fs';
import { AstroError } from 'astro/errors';

type D1BindingConfig = { binding: string; database_id?: string; database_name?: string; migrations_dir?: string };

/** JSONC → JSON: drops comments and trailing commas, leaves strings alone. */
export function stripJsonc(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 1;
      out += ' ';
    } else {
      out += c;
    }
  }
  return out.replace(/,(\s*[}\]])/g, '$1');
}

/** The D1 binding named `binding` in a wrangler.jsonc/json; every failure is an AstroError with a fix. */
export function readD1Binding(path: string, binding: string): D1BindingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AstroError(
      `Cannot read the wrangler config ${path}: ${(err as Error).message}`,
      'Create wrangler.jsonc with a d1_databases entry, or point the `wranglerConfig` option at yours.',
    );
  }
  let config: { d1_databases?: D1BindingConfig[] };
  try {
    config = JSON.parse(stripJsonc(text));
  } catch (err) {
    throw new AstroError(
      `The wrangler config ${path} is not valid JSONC: ${(err as Error).message}`,
      'Fix the syntax (run `npx wrangler check` or open it in an editor with JSON support).',
    );
  }
  const found = (config.d1_databases ?? []).find((d) => d.binding === binding);
  if (!found) {
    throw new AstroError(
      `The wrangler config ${path} has no D1 binding "${binding}".`,
      `Add { "binding": "${binding}", "database_name": …, "database_id": … } to d1_databases, or set the \`binding\` option.`,
    );
  }
  return found;
}
