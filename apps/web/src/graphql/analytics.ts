import type { Client } from '@urql/core';
import { graphql } from './generated';
import type { CaptionSource } from './generated/graphql';

export interface AnalyticsRow {
  postId: string;
  imageUrl: string | null;
  version: number;
  source: CaptionSource;
  text: string;
  views: number;
  likes: number;
  likeRate: number;
}

export interface AnalyticsData {
  /** All-time totals. */
  totals: { posts: number; views: number; likes: number; likeRate: number };
  daily: { day: string; views: number; likes: number }[];
  rows: AnalyticsRow[];
}

export const MY_ANALYTICS = graphql(`
  query MyAnalytics($days: Int!) {
    myAnalytics(days: $days) {
      days
      totalPosts
      totalViews
      totalLikes
      likeRate
      daily {
        date
        views
        likes
      }
      posts {
        post {
          id
          feedImageUrl
        }
        captions {
          caption {
            id
            text
            source
            version
          }
          views
          likes
          likeRate
        }
      }
    }
  }
`);

/** The analytics page's data: `myAnalytics` flattened to one row per caption version. */
export async function loadAnalytics(client: Client, days: number): Promise<AnalyticsData> {
  const res = await client.query(MY_ANALYTICS, { days }, { requestPolicy: 'network-only' }).toPromise();
  if (res.error || !res.data) throw res.error ?? new Error('no data');
  const a = res.data.myAnalytics;
  return {
    totals: { posts: a.totalPosts, views: a.totalViews, likes: a.totalLikes, likeRate: a.likeRate },
    daily: a.daily.map((d) => ({ day: d.date, views: d.views, likes: d.likes })),
    rows: a.posts.flatMap((p) =>
      p.captions.map((c) => ({
        postId: p.post.id,
        imageUrl: p.post.feedImageUrl,
        version: c.caption.version,
        source: c.caption.source,
        text: c.caption.text,
        views: c.views,
        likes: c.likes,
        likeRate: c.likeRate,
      })),
    ),
  };
}
