/** Shapes of the API objects the web app reads (see apps/api/schema.graphql). */

export type CaptionStatus = 'PENDING' | 'PROCESSING' | 'READY' | 'FAILED';
export type CaptionSource = 'MODEL' | 'USER';
export type TranslationStatus = 'NONE' | 'PENDING' | 'READY' | 'FAILED' | 'UNAVAILABLE';

export interface UserRef {
  id: string;
  displayName: string;
}

export interface Caption {
  id: string;
  text: string;
  source: CaptionSource;
  version: number;
  createdAt: string;
}

/** A machine translation of a caption version (`Post.translations`). */
export interface Translation {
  /** "de", "fr" or "cs". */
  language: string;
  text: string;
  /** The caption version it translates: only a translation of the live version is shown. */
  captionId: string;
}

export interface Suggestion {
  text: string;
  score: number;
}

export interface WordAttention {
  word: string;
  weights: number[];
}

export interface Attention {
  gridWidth: number;
  gridHeight: number;
  words: WordAttention[];
}

export interface ImageFile {
  url: string;
  width: number;
  height: number;
}

export interface Post {
  id: string;
  author: UserRef;
  imageUrl: string;
  width: number;
  height: number;
  captionStatus: CaptionStatus;
  captionError?: string | null;
  /** The live caption version; null until the first caption exists. */
  caption: Caption | null;
  captions: Caption[];
  /** Translations of the live caption version, each once it has arrived. */
  translations?: Translation[] | null;
  /** FAILED or UNAVAILABLE (no model on the server): the translation will not come, show the original. */
  translationStatus?: TranslationStatus | null;
  suggestions: Suggestion[];
  hashtags: string[];
  likeCount: number;
  viewCount: number;
  likedByMe: boolean;
  createdAt: string;
  attention?: Attention | null;
  images?: { feed: ImageFile; detail: ImageFile } | null;
}

export interface CaptionStats {
  caption: Caption;
  views: number;
  likes: number;
  likeRate: number;
}

export type ApiTokenScope = 'READ' | 'WRITE';

export interface ApiToken {
  id: string;
  name: string;
  scope: ApiTokenScope;
  createdAt: string;
  lastUsedAt?: string | null;
  revokedAt?: string | null;
  token?: string | null;
}
