/**
 * Geometry for the console's server-rendered SVG charts (integration/pages/admin/_components/).
 * Our own few lines instead of a charting library: the charts are a line chart and a bar
 * chart with reference lines, drawn once on the server; libraries that render SVG without a
 * DOM add hundreds of KB to the Worker for that (docs/console.md has the figures).
 */

/**
 * Two sizes of every chart: the page shows the wide one from 48rem up and the narrow one below
 * (CSS in AdminLayout). Text is `font` user units, so it renders at font × rendered width ÷
 * `width` px: the narrow viewBox keeps labels at 11 px or more on a 390 px phone.
 */
export type ChartSize = {
  width: number;
  height: number;
  font: number;
  pad: { top: number; right: number; bottom: number; left: number };
  xTicks: number;
  labelWidth: number;
  valueWidth: number;
};
export const WIDE: ChartSize = {
  width: 640,
  height: 220,
  font: 11,
  pad: { top: 12, right: 20, bottom: 28, left: 56 },
  xTicks: 6,
  labelWidth: 140,
  valueWidth: 70,
};
export const NARROW: ChartSize = {
  width: 300,
  height: 200,
  font: 11,
  pad: { top: 12, right: 20, bottom: 28, left: 40 },
  xTicks: 3,
  labelWidth: 90,
  valueWidth: 52,
};
export const CHART_WIDTH = WIDE.width;
export const CHART_HEIGHT = WIDE.height;
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
export const formatTick = (value: number, percent = false): string => (percent ? `${(value * 100).toFixed(value * 100 < 1 ? 2 : 1)}%` : compact.format(value));

export type Tick = { pos: number; label: string };
export type Point = { x: number; y: number };
/** `dots` marks the points when there is a single day: a path of one point draws nothing. */
export type LinePath = { name: string; d: string; color: string; dash: string; dots: Point[] };
export type LineChart = {
  width: number;
  height: number;
  font: number;
  plot: { x: number; y: number; w: number; h: number };
  /** Where the value 0 lies: the axis line, at the bottom unless some value is negative. */
  zeroY: number;
  /** The x labels' baseline, below the plot (never inside it). */
  labelY: number;
  paths: LinePath[];
  yTicks: Tick[];
  xTicks: Tick[];
};

/** The y range for counts: whole round steps from a multiple at or below min(0, values) to one at or above max(0, values). */
export function yScale(values: readonly number[], ticks = Y_TICKS): { lo: number; hi: number; step: number } {
  const finite = values.filter(Number.isFinite);
  const min = Math.min(0, ...finite);
  const max = Math.max(0, ...finite);
  const step = max > min ? Math.max(1, niceMax((max - min) / ticks)) : 1;
  const lo = Math.floor(min / step) * step;
  const hi = Math.max(lo + step, Math.ceil(max / step) * step);
  return { lo, hi, step };
}

/** Lines over shared x labels (days); y spans 0 and every value, negatives included. */
export function lineChart(labels: readonly string[], series: readonly { name: string; values: readonly number[] }[], size: ChartSize = WIDE): LineChart {
  const { pad } = size;
  const plot = { x: pad.left, y: pad.top, w: size.width - pad.left - pad.right, h: size.height - pad.top - pad.bottom };
  const { lo, hi, step: yStep } = yScale(series.flatMap((s) => s.values));
  const single = labels.length === 1;
  const step = labels.length > 1 ? plot.w / (labels.length - 1) : 0;
  const x = (i: number) => (single ? plot.x + plot.w / 2 : plot.x + i * step);
  const y = (v: number) => plot.y + plot.h - ((v - lo) / (hi - lo)) * plot.h;
  const paths = series.map((s, k) => {
    const style = SERIES_STYLES[k % SERIES_STYLES.length]!;
    const points = s.values
      .slice(0, Math.max(labels.length, 0))
      .map((v, i) => ({ x: Number(x(i).toFixed(1)), y: Number(y(Number.isFinite(v) ? v : 0).toFixed(1)) }));
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x},${p.y}`).join(' ');
    return { name: s.name, d, color: style.color, dash: style.dash, dots: single ? points : [] };
  });
  const count = Math.round((hi - lo) / yStep);
  const yTicks = Array.from({ length: count + 1 }, (_, i) => {
    const value = Number((lo + i * yStep).toPrecision(12));
    return { pos: y(value), label: formatTick(value) };
  });
  const every = Math.max(1, Math.ceil(labels.length / size.xTicks));
  const xTicks = labels.flatMap((label, i) => (i % every === 0 ? [{ pos: x(i), label: label.slice(5) }] : []));
  return { width: size.width, height: size.height, font: size.font, plot, zeroY: y(0), labelY: plot.y + plot.h + size.font + 6, paths, yTicks, xTicks };
}

export type Bar = { label: string; value: number; y: number; w: number; color: string; text: string };
export type RefLine = { label: string; x: number };
export type BarChart = { width: number; height: number; font: number; labelWidth: number; barHeight: number; bars: Bar[]; refs: RefLine[] };

const BAR_HEIGHT = 22;
const BAR_GAP = 10;

/** Horizontal bars (one per label) with optional reference lines, e.g. the 0.1% and 0.3% complaint lines. */
export function barChart(
  bars: readonly { label: string; value: number }[],
  opts: { percent?: boolean; refs?: readonly { label: string; value: number }[] } = {},
  size: ChartSize = WIDE,
): BarChart {
  const LABEL_WIDTH = size.labelWidth;
  const refs = opts.refs ?? [];
  const max = opts.percent
    ? niceMax(Math.max(0, ...bars.map((b) => b.value), ...refs.map((r) => r.value)) * 1.1)
    : niceMax(Math.max(0, ...bars.map((b) => b.value)));
  const span = size.width - LABEL_WIDTH - size.valueWidth;
  const scale = (v: number) => (Math.max(0, v) / max) * span;
  return {
    width: size.width,
    font: size.font,
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
