import { useEffect, useState } from 'react';
import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { OrderStatsQuery, StatsInterval } from '~/gql/graphql';
import { useFormatters } from '~/lib/locale';
import { formatMajorCompact, minorToMajor } from '~/lib/money';

type Point = OrderStatsQuery['orderStats']['series'][number];

/** Net revenue (line, left axis) and orders (bars, right axis) per period, in one currency. */
export function RevenueChart({ series, currency, interval }: { series: Point[]; currency: string; interval: StatsInterval }) {
  const fmt = useFormatters();
  // Recharts measures the DOM: render it after hydration, with the same data as an accessible table.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  // A weekly bucket is named by its first day, and says so: "Week of 3 Nov".
  const label = (iso: string) => {
    const text = new Intl.DateTimeFormat(fmt.locale, {
      timeZone: fmt.timeZone,
      ...(interval === 'MONTH' ? { month: 'short', year: 'numeric' } : { month: 'short', day: 'numeric' }),
    }).format(new Date(iso));
    return interval === 'WEEK' ? `Week of ${text}` : text;
  };

  // The chart is keyboard-explorable (arrow keys move the tooltip); its name says what it draws.
  const chartTitle = 'Net revenue (line) and orders placed (bars) per period; arrow keys step through the periods';
  const rows = series.map((p) => ({
    period: label(p.periodStart),
    revenue: minorToMajor(p.netRevenue.amount, currency),
    revenueText: fmt.amount(p.netRevenue),
    orders: p.orderCount,
  }));

  return (
    <div className="chart" data-testid="revenue-chart">
      <div className="chart__canvas">
        {mounted && rows.length ? (
          <ResponsiveContainer width="100%" height={300}>
            <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }} title={chartTitle}>
              <CartesianGrid stroke="var(--border)" vertical={false} />
              <XAxis dataKey="period" tick={{ fill: 'var(--text-3)', fontSize: 12 }} tickLine={false} axisLine={{ stroke: 'var(--border-strong)' }} minTickGap={16} />
              <YAxis
                yAxisId="revenue"
                tick={{ fill: 'var(--text-3)', fontSize: 12 }}
                tickLine={false}
                axisLine={false}
                width={64}
                tickFormatter={(v: number) => formatMajorCompact(v, currency, fmt.locale)}
              />
              <YAxis yAxisId="orders" orientation="right" allowDecimals={false} tick={{ fill: 'var(--text-3)', fontSize: 12 }} tickLine={false} axisLine={false} width={40} />
              <Tooltip
                formatter={(value, name, item) =>
                  name === 'Net revenue' ? [(item.payload as { revenueText: string }).revenueText, name] : [fmt.number(Number(value)), name]
                }
                contentStyle={{ borderRadius: 8, border: '1px solid var(--border)', background: 'var(--surface)', boxShadow: 'var(--shadow-lg)' }}
                itemStyle={{ color: 'var(--text)' }}
                labelStyle={{ color: 'var(--text)', fontWeight: 600 }}
              />
              {/* Legend text in the page’s text colour; the bars are dark enough (3.3:1) to tell apart from the card. */}
              <Legend wrapperStyle={{ fontSize: 13 }} formatter={(value) => <span className="chart__legend-text">{value}</span>} />
              <Bar yAxisId="orders" dataKey="orders" name="Orders placed" fill="#938c86" radius={[3, 3, 0, 0]} maxBarSize={28} isAnimationActive={false} />
              <Line yAxisId="revenue" type="monotone" dataKey="revenue" name="Net revenue" stroke="var(--accent)" strokeWidth={2.5} dot={rows.length <= 16} isAnimationActive={false} />
            </ComposedChart>
          </ResponsiveContainer>
        ) : (
          <div className="chart__placeholder" />
        )}
      </div>
      <details className="chart__table">
        <summary>Show the data as a table</summary>
        <table className="table table--compact">
          <thead>
            <tr>
              <th scope="col">Period</th>
              <th scope="col" className="num">
                Orders placed
              </th>
              <th scope="col" className="num">
                Net revenue
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.period}>
                <td>{r.period}</td>
                <td className="num">{fmt.number(r.orders)}</td>
                <td className="num money">{r.revenueText}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
