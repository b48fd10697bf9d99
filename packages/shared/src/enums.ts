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

/** What a personal API token may do: READ runs queries and subscriptions only, WRITE also mutations. */
export const ApiTokenScope = { READ: 'READ', WRITE: 'WRITE' } as const;
export type ApiTokenScope = (typeof ApiTokenScope)[keyof typeof ApiTokenScope];
