'use client';

import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useClient } from 'urql';
import { humanError, type ApiErrorLike } from '@/lib/errors';
import { toCsv } from '@/lib/csv';
import { loadAnalytics, type AnalyticsData, type AnalyticsRow } from '@/graphql/analytics';
import { mediaUrl } from '@/lib/media';
import { usePublicConfig } from './providers';
import { Alert, Badge, Button, Card, Spinner, cx } from './ui';

const RANGES = [7, 30, 90] as const;

export function fillDays(daily: AnalyticsData['daily'], days: number, today = new Date()): AnalyticsData['daily'] {
  const byDay = new Map(daily.map((d) => [d.day, d]));
  const out: AnalyticsData['daily'] = [];
  for (let i = days - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - i));
    const key = d.toISOString().slice(0, 10);
    out.push(byDay.get(key) ?? { day: key, views: 0, likes: 0 });
  }
  return out;
}

export function analyticsCsv(rows: AnalyticsRow[]): string {
  return toCsv(
    ['post_id', 'version', 'source', 'caption', 'views', 'likes', 'like_rate'],
    rows.map((r) => [r.postId, r.version, r.source, r.text, r.views, r.likes, r.likeRate.toFixed(4)]),
  );
}

const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

export function Analytics() {
  const client = useClient();
  const { apiUrl } = usePublicConfig();
  const [days, setDays] = useState<number>(30);
  const [data, setData] = useState<AnalyticsData | null>(null);
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    setError(undefined);
    loadAnalytics(client, days)
      .then((d) => live && setData(d))
      .catch((e: ApiErrorLike) => live && setError(humanError(e)));
    return () => {
      live = false;
    };
  }, [client, days]);

  const series = useMemo(() => (data ? fillDays(data.daily, days) : []), [data, days]);
  const totals = useMemo(
    () => series.reduce((t, d) => ({ views: t.views + d.views, likes: t.likes + d.likes }), { views: 0, likes: 0 }),
    [series],
  );
  const groups = useMemo(() => {
    const m = new Map<string, AnalyticsRow[]>();
    for (const r of data?.rows ?? []) m.set(r.postId, [...(m.get(r.postId) ?? []), r]);
    return [...m.entries()];
  }, [data]);

  function download() {
    if (!data) return;
    const blob = new Blob([analyticsCsv(data.rows)], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `pixtale-caption-analytics-${new Date().toISOString().slice(0, 10)}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  if (error) return <Alert>{error}</Alert>;
  if (!data) return <Spinner label="Loading analytics" />;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <Button
            key={r}
            size="sm"
            variant={r === days ? 'primary' : 'secondary'}
            aria-pressed={r === days}
            onClick={() => setDays(r)}
          >
            Last {r} days
          </Button>
        ))}
        <Button size="sm" variant="secondary" className="ml-auto" onClick={download} disabled={data.rows.length === 0}>
          Export CSV
        </Button>
      </div>

      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Stat label="Posts" value={data.totals.posts} testId="total-posts" />
        <Stat label="Views (all time)" value={data.totals.views} testId="total-views" />
        <Stat label="Likes (all time)" value={data.totals.likes} testId="total-likes" />
        <Stat label="Like rate" value={data.totals.views ? pct(data.totals.likeRate) : '—'} testId="total-rate" />
      </div>

      <Card className="p-4 sm:p-6">
        <h2 className="text-lg font-semibold">Views and likes over time</h2>
        <p className="sr-only">
          Over the last {days} days your photos got {totals.views} views and {totals.likes} likes. Per-day numbers are in the
          exported CSV and the table below.
        </p>
        <div className="mt-4 h-72" data-testid="chart">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={series} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
              <CartesianGrid stroke="#e2e8f0" strokeDasharray="3 3" />
              <XAxis
                dataKey="day"
                tickFormatter={(d: string) => d.slice(5)}
                tick={{ fill: '#475569', fontSize: 12 }}
                minTickGap={16}
              />
              <YAxis allowDecimals={false} tick={{ fill: '#475569', fontSize: 12 }} />
              <Tooltip />
              <Legend />
              <Line
                type="monotone"
                dataKey="views"
                name="Views"
                stroke="#6d28d9"
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
              <Line
                type="monotone"
                dataKey="likes"
                name="Likes"
                stroke="#e11d48"
                strokeWidth={2}
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        </div>
      </Card>

      <Card className="p-4 sm:p-6">
        <h2 className="text-lg font-semibold">Which wording works</h2>
        <p className="mt-1 text-sm text-muted">Every caption version keeps its own views and likes.</p>
        {groups.length === 0 ? (
          <p className="mt-4 text-sm text-muted">
            No posts yet.{' '}
            <Link href="/upload" className="font-semibold text-brand-700 underline">
              Upload a photo
            </Link>{' '}
            to see how its captions do.
          </p>
        ) : (
          <div className="mt-4 overflow-x-auto">
            <table className="w-full min-w-[36rem] text-left text-sm" data-testid="analytics-table">
              <caption className="sr-only">Views, likes and like rate per caption version</caption>
              <thead className="border-b border-line text-xs uppercase tracking-wide text-muted">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Photo
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Caption
                  </th>
                  <th scope="col" className="py-2 pr-3 text-right">
                    Views
                  </th>
                  <th scope="col" className="py-2 pr-3 text-right">
                    Likes
                  </th>
                  <th scope="col" className="py-2 text-right">
                    Like rate
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.map(([postId, rows]) => {
                  const best = rows.reduce(
                    (b, r) => (r.views > 0 && r.likeRate > (b?.likeRate ?? -1) ? r : b),
                    undefined as AnalyticsRow | undefined,
                  );
                  return rows.map((r, i) => (
                    <tr
                      key={`${postId}-${r.version}`}
                      className={cx('align-top', i === rows.length - 1 && 'border-b border-line')}
                    >
                      {i === 0 && (
                        <td rowSpan={rows.length} className="py-3 pr-3">
                          <Link href={`/posts/${postId}`} className="block w-16 overflow-hidden rounded-lg">
                            {r.imageUrl ? (
                              // eslint-disable-next-line @next/next/no-img-element -- small thumbnail from the API
                              <img
                                src={mediaUrl(r.imageUrl, apiUrl)}
                                alt={`Open post: ${rows[rows.length - 1]?.text ?? ''}`}
                                width={64}
                                height={64}
                                className="size-16 object-cover"
                                loading="lazy"
                              />
                            ) : (
                              <span className="text-brand-700 underline">Open</span>
                            )}
                          </Link>
                        </td>
                      )}
                      <td className="py-3 pr-3">
                        <div className="flex flex-wrap items-center gap-1.5">
                          <span className="font-semibold">v{r.version}</span>
                          <Badge tone={r.source === 'MODEL' ? 'brand' : 'user'}>
                            {r.source === 'MODEL' ? 'Model' : 'Author'}
                          </Badge>
                          {best === r && rows.length > 1 && <Badge>Best like rate</Badge>}
                        </div>
                        <p dir="auto" className="user-text mt-1 text-ink">
                          {r.text}
                        </p>
                      </td>
                      <td className="py-3 pr-3 text-right tabular-nums">{r.views}</td>
                      <td className="py-3 pr-3 text-right tabular-nums">{r.likes}</td>
                      <td className="py-3 text-right tabular-nums">{r.views ? pct(r.likeRate) : '—'}</td>
                    </tr>
                  ));
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: number | string; testId: string }) {
  return (
    <Card className="p-4">
      <p className="text-sm text-muted">{label}</p>
      <p className="mt-1 text-2xl font-bold tabular-nums" data-testid={testId}>
        {value}
      </p>
    </Card>
  );
}
