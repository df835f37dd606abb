/** The console's chart geometry (integration/server/admin/charts.ts) on the shapes that went wrong: one day, no data, negatives, a spike. */
import { describe, expect, it } from 'vitest';
import { barChart, lineChart, NARROW, WIDE, yScale, type LineChart } from '../integration/server/admin/charts';

const days = (n: number) => Array.from({ length: n }, (_, i) => `2026-11-${String(i + 1).padStart(2, '0')}`);
/** Every y coordinate of every path and dot. */
const ys = (c: LineChart) =>
  c.paths.flatMap((p) => [...p.d.matchAll(/[ML][\d.]+,(-?[\d.]+)/g)].map((m) => Number(m[1]))).concat(c.paths.flatMap((p) => p.dots.map((d) => d.y)));
const inside = (c: LineChart) => ys(c).every((y) => y >= c.plot.y - 0.05 && y <= c.plot.y + c.plot.h + 0.05);

describe('lineChart', () => {
  it('draws a single day as a visible dot in the middle of the plot', () => {
    const c = lineChart(
      ['2026-11-30'],
      [
        { name: 'sent', values: [42] },
        { name: 'failed', values: [0] },
      ],
    );
    expect(c.yTicks.at(-1)!.label).toBe('60');
    expect(c.paths[0]!.dots).toEqual([{ x: c.plot.x + c.plot.w / 2, y: c.plot.y + (1 - 42 / 60) * c.plot.h }]);
    expect(c.paths[1]!.dots).toHaveLength(1);
    expect(c.xTicks).toEqual([{ pos: c.plot.x + c.plot.w / 2, label: '11-30' }]);
    expect(inside(c)).toBe(true);
  });

  it('with no data draws nothing and still has an axis from 0', () => {
    const c = lineChart([], [{ name: 'sent', values: [] }]);
    expect(c.paths[0]!.d).toBe('');
    expect(c.xTicks).toEqual([]);
    expect(c.zeroY).toBe(c.plot.y + c.plot.h);
    expect(c.yTicks.map((t) => t.label)).toEqual(['0', '1']);
    expect(JSON.stringify(c)).not.toMatch(/NaN|Infinity/);
  });

  it('keeps negative values inside the plot, with 0 on a tick above the bottom', () => {
    const c = lineChart(days(5), [{ name: 'Subscribers', values: [0, -1, -1, 2, 3] }]);
    expect(inside(c)).toBe(true);
    expect(c.yTicks.map((t) => t.label)).toContain('0');
    expect(c.yTicks[0]!.label).toBe('-1');
    expect(c.zeroY).toBeLessThan(c.plot.y + c.plot.h);
    expect(c.yTicks.find((t) => t.label === '0')!.pos).toBeCloseTo(c.zeroY);
    // the date labels sit below the plot, so no line can cross them
    expect(c.labelY - c.font).toBeGreaterThan(c.plot.y + c.plot.h);
  });

  it('scales a big spike to the top without losing the small days', () => {
    const c = lineChart(days(30), [{ name: 'sent', values: days(30).map((_, i) => (i === 12 ? 100_000 : 3)) }]);
    expect(inside(c)).toBe(true);
    expect(Math.min(...ys(c))).toBeCloseTo(c.plot.y, 0);
    expect(c.yTicks.at(-1)!.label).toBe('100K');
    expect(c.xTicks.length).toBeLessThanOrEqual(WIDE.xTicks);
  });

  it('the narrow drawing has fewer date labels and keeps them inside its viewBox', () => {
    const c = lineChart(days(30), [{ name: 'sent', values: days(30).map(() => 1) }], NARROW);
    expect(c.width).toBe(NARROW.width);
    expect(c.xTicks.length).toBeLessThanOrEqual(NARROW.xTicks);
    // a 5-character label at 11 px is about 30 px wide: half of it must fit on either side
    for (const t of c.xTicks) expect(t.pos - 16 >= 0 && t.pos + 16 <= c.width).toBe(true);
  });
});

describe('yScale', () => {
  it('spans 0 and every value in round steps', () => {
    expect(yScale([])).toEqual({ lo: 0, hi: 1, step: 1 });
    expect(yScale([0, 0])).toEqual({ lo: 0, hi: 1, step: 1 });
    expect(yScale([0, 1])).toEqual({ lo: 0, hi: 1, step: 1 });
    expect(yScale([-1, 3])).toEqual({ lo: -1, hi: 3, step: 1 });
    expect(yScale([-7])).toEqual({ lo: -8, hi: 0, step: 2 });
    expect(yScale([5, 10])).toEqual({ lo: 0, hi: 10, step: 2.5 });
  });
});

describe('barChart', () => {
  it('never draws a negative or NaN width, and fits the narrow viewBox', () => {
    const c = barChart(
      [
        { label: 'a', value: -3 },
        { label: 'b', value: 0 },
        { label: 'c', value: 10 },
      ],
      {},
      NARROW,
    );
    expect(c.bars.map((b) => b.w)).toEqual([0, 0, NARROW.width - NARROW.labelWidth - NARROW.valueWidth]);
  });
});
