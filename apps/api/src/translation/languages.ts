import { CAPTION_LANGUAGES, captionLanguageOf, ErrorCode, ErrorReason, type CaptionLanguage } from '@pixtale/shared';
import { appError } from '../common/errors';

/**
 * A client's `language` argument as a caption language code, or a BAD_USER_INPUT error with
 * reason UNSUPPORTED_LANGUAGE and `extensions.supportedLanguages` (the codes to use instead).
 */
export function parseCaptionLanguage(input: string): CaptionLanguage {
  const code = captionLanguageOf(input);
  if (code) return code;
  const supported = CAPTION_LANGUAGES.map((l) => l.code);
  throw appError(
    ErrorCode.BAD_USER_INPUT,
    `Unsupported language ${JSON.stringify(input)}: captions are available in ${supported.join(', ')}`,
    {
      reason: ErrorReason.UNSUPPORTED_LANGUAGE,
      field: 'language',
      supportedLanguages: supported,
    },
  );
}
