import { gql, type Client } from '@urql/core';
import type { CaptionSource } from './types';

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
  daily: { day: string; views: number; likes: number }[];
  rows: AnalyticsRow[];
}

// PROVISIONAL until apps/api/schema.graphql lands.
const ANALYTICS = gql`
  query MyAnalytics($days: Int!) {
    myAnalytics(days: $days) {
      daily {
        day
        views
        likes
      }
      captions {
        post {
          id
          imageUrl
        }
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
`;

interface Raw {
  myAnalytics: {
    daily: AnalyticsData['daily'];
    captions: {
      post: { id: string; imageUrl: string | null };
      caption: { id: string; text: string; source: CaptionSource; version: number };
      views: number;
      likes: number;
      likeRate: number;
    }[];
  };
}

export async function loadAnalytics(client: Client, days: number): Promise<AnalyticsData> {
  const res = await client.query<Raw>(ANALYTICS, { days }, { requestPolicy: 'network-only' }).toPromise();
  if (res.error || !res.data) throw res.error ?? new Error('no data');
  const a = res.data.myAnalytics;
  return {
    daily: a.daily,
    rows: a.captions.map((c) => ({
      postId: c.post.id,
      imageUrl: c.post.imageUrl,
      version: c.caption.version,
      source: c.caption.source,
      text: c.caption.text,
      views: c.views,
      likes: c.likes,
      likeRate: c.likeRate,
    })),
  };
}
