/**
 * A template with each standalone `{{> name}}` line replaced by the partial's text: what the default templates held
 * before partials (migration 0029), and what Mustache renders a standalone partial tag as.
 */
export const inlinePartials = (source: string, partials: Readonly<Record<string, string>>): string =>
  source.replace(/^\{\{> (\w+)\}\}\n/gm, (tag, name: string) => partials[name] ?? tag);
