/** Lifecycle of a post's machine caption. */
export const CaptionStatus = {
  PENDING: 'PENDING',
  PROCESSING: 'PROCESSING',
  READY: 'READY',
  FAILED: 'FAILED',
} as const;
export type CaptionStatus = (typeof CaptionStatus)[keyof typeof CaptionStatus];

/** Who wrote a caption version. */
export const CaptionSource = { MODEL: 'MODEL', USER: 'USER' } as const;
export type CaptionSource = (typeof CaptionSource)[keyof typeof CaptionSource];
