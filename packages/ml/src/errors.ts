/** Why an image could not be captioned; `code` is stable and safe to show to clients. */
export type CaptionerInputErrorCode = 'NOT_AN_IMAGE' | 'TRUNCATED_IMAGE' | 'EMPTY_INPUT' | 'TOO_MANY_PIXELS' | 'FILE_NOT_FOUND';

/** A problem with one input image (the caller's fault); other images in a batch are unaffected. */
export class CaptionerInputError extends Error {
  override readonly name = 'CaptionerInputError';
  constructor(
    readonly code: CaptionerInputErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A problem with the captioner's set-up: bad options, missing or malformed model files. */
export class CaptionerConfigError extends Error {
  override readonly name = 'CaptionerConfigError';
}

/** The captioner was used after `dispose()`. */
export class CaptionerDisposedError extends Error {
  override readonly name = 'CaptionerDisposedError';
  constructor() {
    super('Captioner has been disposed; create a new one with createCaptioner()');
  }
}

/** Why a text could not be translated; `code` is stable and safe to show to clients. */
export type TranslationInputErrorCode = 'EMPTY_TEXT' | 'UNSUPPORTED_LANGUAGE' | 'NOT_TEXT';

export class TranslationInputError extends Error {
  override readonly name = 'TranslationInputError';
  constructor(
    readonly code: TranslationInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
