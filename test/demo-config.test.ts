/**
 * The demo's astro.config.mjs: no dev toolbar over the page (it covered the subscribe button on
 * a phone), and a code-block theme whose every token meets WCAG AA (4.5:1) on its background.
 * The browser tests (test/browser/accessibility.test.ts) run axe over the rendered posts too.
 */
import { describe, expect, it } from 'vitest';
import config from '../astro.config.mjs';

const luminance = (hex: string) => {
  const [r, g, b] = hex
    .slice(1, 7)
    .match(/../g)!
    .map((h) => parseInt(h, 16) / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
};
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

type Theme = { colors: Record<string, string>; tokenColors: { scope?: string | string[]; settings: { foreground?: string; background?: string } }[] };

describe('demo config', () => {
  it('turns the Astro dev toolbar off', () => {
    expect(config.devToolbar).toEqual({ enabled: false });
  });

  it('highlights code with a theme whose every token has at least 4.5:1 contrast on its background', async () => {
    const name = config.markdown?.shikiConfig?.theme;
    expect(typeof name).toBe('string');
    const theme = ((await import(`@shikijs/themes/${name as string}`)) as { default: Theme }).default;
    const background = theme.colors['editor.background']!;
    const failing = theme.tokenColors
      .filter((t) => t.settings.foreground?.length === 7 && !t.settings.background)
      .map((t) => ({ scope: t.scope, ratio: contrast(t.settings.foreground!, background) }))
      .filter((t) => t.ratio < 4.5);
    expect(failing).toEqual([]);
    expect(contrast(theme.colors['editor.foreground']!, background)).toBeGreaterThanOrEqual(4.5);
  });
});
