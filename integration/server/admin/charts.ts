/**
 * Geometry for the console's server-rendered SVG charts (integration/pages/admin/_components/).
 * Our own few lines instead of a charting library: the charts are a line chart and a bar
 * chart with reference lines, drawn once on the server; libraries that render SVG without a
 * DOM add hundreds of KB to the Worker for that (docs/console.md has the figures).
 */

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 220;
const PAD = { top: 12, right: 16, bottom: 28, left: 56 };
const Y_TICKS = 4;

/** Colours with ≥ 3:1 contrast on white (WCAG 1.4.11); series also differ by dash pattern (1.4.1). */
export const SERIES_STYLES = [
  { color: '#1f4e8c', dash: '' },
  { color: '#b3261e', dash: '6 3' },
  { color: '#5b3c88', dash: '2 3' },
  { color: '#1b6e3a', dash: '8 3 2 3' },
  { color: '#8a5300', dash: '4 4' },
  { color: '#4a4a4a', dash: '1 2' },
] as const;

/** A "nice" upper bound (1, 2, 2.5, 5 × 10^n) at or above the largest value, so ticks are round. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
export const formatTick = (value: number, percent = false): string =>
  percent ? `${(value * 100).toFixed(value * 100 < 1 ? 2 : 1)}%` : compact.format(value);

export type Tick = { pos: number; label: string };
export type LinePath = { name: string; d: string; color: string; dash: string };
export type LineChart = { width: number; height: number; plot: { x: number; y: number; w: number; h: number }; paths: LinePath[]; yTicks: Tick[]; xTicks: Tick[] };

/** Lines over shared x labels (days); y from 0 to a nice maximum. */
export function lineChart(labels: readonly string[], series: readonly { name: string; values: readonly number[] }[]): LineChart {
  const plot = { x: PAD.left, y: PAD.top, w: CHART_WIDTH - PAD.left - PAD.right, h: CHART_HEIGHT - PAD.top - PAD.bottom };
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const step = labels.length > 1 ? plot.w / (labels.length - 1) : 0;
  const x = (i: number) => plot.x + i * step;
  const y = (v: number) => plot.y + plot.h - (v / max) * plot.h;
  const paths = series.map((s, k) => {
    const style = SERIES_STYLES[k % SERIES_STYLES.length]!;
    const d = s.values.map((v, i) => `${i === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return { name: s.name, d, color: style.color, dash: style.dash };
  });
  const yTicks = Array.from({ length: Y_TICKS + 1 }, (_, i) => ({ pos: y((max * i) / Y_TICKS), label: formatTick((max * i) / Y_TICKS) }));
  const every = Math.max(1, Math.ceil(labels.length / 6));
  const xTicks = labels.flatMap((label, i) => (i % every === 0 ? [{ pos: x(i), label: label.slice(5) }] : []));
  return { width: CHART_WIDTH, height: CHART_HEIGHT, plot, paths, yTicks, xTicks };
}

export type Bar = { label: string; value: number; y: number; w: number; color: string; text: string };
export type RefLine = { label: string; x: number };
export type BarChart = { width: number; height: number; labelWidth: number; barHeight: number; bars: Bar[]; refs: RefLine[] };

const BAR_HEIGHT = 22;
const BAR_GAP = 10;
const LABEL_WIDTH = 140;

/** Horizontal bars (one per label) with optional reference lines, e.g. the 0.1% and 0.3% complaint lines. */
export function barChart(
  bars: readonly { label: string; value: number }[],
  opts: { percent?: boolean; refs?: readonly { label: string; value: number }[] } = {},
): BarChart {
  const refs = opts.refs ?? [];
  const max = opts.percent ? niceMax(Math.max(0, ...bars.map((b) => b.value), ...refs.map((r) => r.value)) * 1.1) : niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const span = CHART_WIDTH - LABEL_WIDTH - 70;
  const scale = (v: number) => (v / max) * span;
  return {
    width: CHART_WIDTH,
    height: bars.length * (BAR_HEIGHT + BAR_GAP) + BAR_GAP + (refs.length > 0 ? 16 : 0),
    labelWidth: LABEL_WIDTH,
    barHeight: BAR_HEIGHT,
    bars: bars.map((b, i) => ({
      label: b.label,
      value: b.value,
      y: BAR_GAP + i * (BAR_HEIGHT + BAR_GAP) + (refs.length > 0 ? 16 : 0),
      w: Math.max(b.value > 0 ? 1 : 0, scale(b.value)),
      color: SERIES_STYLES[0].color,
      text: opts.percent ? formatTick(b.value, true) : b.value.toLocaleString('en-US'),
    })),
    refs: refs.map((r) => ({ label: r.label, x: LABEL_WIDTH + scale(r.value) })),
  };
}
