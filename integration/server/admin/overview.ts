/** The overview page's view: the figures from db/admin/overview.ts plus limits, digest slots and chart geometry. */
import type { Db } from '../../../db/client';
import { loadOverview, type OverviewData } from '../../../db/admin/overview';
import { nextDigestSlots } from '../../../db/delivery/digest-schedule';
import { barChart, lineChart, NARROW, WIDE, type BarChart, type ChartSize, type LineChart } from './charts';

/** Gmail and Yahoo bulk-sender rules: keep complaints under 0.1%, never reach 0.3%. */
export const COMPLAINT_TARGET = 0.001;
export const COMPLAINT_LIMIT = 0.003;

export type OverviewLimits = { ratePerMinute: number; dailyCap: number; digestHourUtc: number; digestWeekday: number };

export type OverviewView = OverviewData & {
  limits: OverviewLimits;
  nextSlots: { daily: Date; weekly: Date };
  /** The wide charts (desktop) and the same charts drawn for a phone. */
  charts: OverviewCharts;
  narrow: OverviewCharts;
};

export type OverviewCharts = { status: BarChart; growth: LineChart; sends: LineChart; queue: BarChart; rates: BarChart };

export const SEND_SERIES = ['sent', 'failed', 'bounced', 'opened', 'clicked', 'unsubscribed'] as const;

export async function overviewView(db: Db, limits: OverviewLimits, now: Date = new Date()): Promise<OverviewView> {
  const data = await loadOverview(db, now);
  return {
    ...data,
    limits,
    nextSlots: nextDigestSlots(now, { hourUtc: limits.digestHourUtc, weeklyDay: limits.digestWeekday }),
    charts: overviewCharts(data, WIDE),
    narrow: overviewCharts(data, NARROW),
  };
}

function overviewCharts(data: OverviewData, size: ChartSize): OverviewCharts {
  const s = data.subscribers;
  const q = data.queue;
  return {
    status: barChart(
      [
        { label: 'Active', value: s.active },
        { label: 'Unconfirmed', value: s.unconfirmed },
        { label: 'Bounced', value: s.bounced },
        { label: 'Unsubscribed', value: s.unsubscribed },
        { label: 'Blocked', value: s.blocked },
      ],
      {},
      size,
    ),
    growth: lineChart(
      data.growth.map((p) => p.day),
      [{ name: 'Subscribers', values: data.growth.map((p) => p.value) }],
      size,
    ),
    sends: lineChart(
      data.sends.map((d) => d.day),
      SEND_SERIES.map((name) => ({ name, values: data.sends.map((d) => d[name]) })),
      size,
    ),
    queue: barChart(
      (['pending', 'sending', 'sent', 'failed', 'cancelled'] as const).map((k) => ({ label: k, value: q[k].immediate + q[k].digest })),
      {},
      size,
    ),
    rates: barChart(
      [
        { label: 'Bounce rate', value: data.rates.bounceRate },
        { label: 'Complaint rate', value: data.rates.complaintRate },
      ],
      {
        percent: true,
        refs: [
          { label: '0.1%', value: COMPLAINT_TARGET },
          { label: '0.3%', value: COMPLAINT_LIMIT },
        ],
      },
      size,
    ),
  };
}
