'use client';

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { CAPTION_LANGUAGES } from '@pixtale/shared';
import { LANGUAGE_STORAGE_KEY, parseStoredLanguage, type CaptionLanguage } from '@/lib/translation';
import { cx } from './ui';

const CHANGE_EVENT = 'pixtale:caption-language';

/**
 * The reader's caption language, remembered in localStorage and shared by every switcher on the
 * page (feed and post page agree). English until the stored choice is read after hydration.
 */
export function useCaptionLanguage(): [CaptionLanguage, (l: CaptionLanguage) => void] {
  const [language, setLanguage] = useState<CaptionLanguage>('en');
  useEffect(() => {
    const read = () => {
      try {
        setLanguage(parseStoredLanguage(window.localStorage.getItem(LANGUAGE_STORAGE_KEY)));
      } catch {
        /* storage blocked: stay in the current language */
      }
    };
    read();
    window.addEventListener(CHANGE_EVENT, read);
    window.addEventListener('storage', read);
    return () => {
      window.removeEventListener(CHANGE_EVENT, read);
      window.removeEventListener('storage', read);
    };
  }, []);
  const choose = useCallback((l: CaptionLanguage) => {
    setLanguage(l);
    try {
      window.localStorage.setItem(LANGUAGE_STORAGE_KEY, l);
    } catch {
      /* not remembered, still applied */
    }
    window.dispatchEvent(new Event(CHANGE_EVENT));
  }, []);
  return [language, choose];
}

/**
 * "Caption language: English / Deutsch / Français / Čeština" as a native radio group: one Tab stop,
 * arrow keys move the choice, the legend names the group, each name is marked with its language.
 */
export function LanguageSwitcher({
  value,
  onChange,
  className,
}: {
  value: CaptionLanguage;
  onChange: (l: CaptionLanguage) => void;
  className?: string;
}) {
  const name = useId();
  return (
    <fieldset className={cx('flex flex-wrap items-center gap-1.5', className)} data-testid="language-switcher">
      <legend className="float-left mr-2 text-sm font-medium text-muted">Caption language</legend>
      {CAPTION_LANGUAGES.map((l) => {
        const checked = value === l.code;
        return (
          <label
            key={l.code}
            className={cx(
              'relative inline-flex min-h-9 cursor-pointer items-center rounded-full border px-3 text-sm font-medium transition-colors',
              'has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-offset-2 has-[:focus-visible]:outline-brand-700',
              checked
                ? 'border-brand-700 bg-brand-700 text-white'
                : 'border-line bg-surface text-ink hover:border-brand-500 hover:bg-brand-50',
            )}
          >
            <input
              type="radio"
              name={name}
              value={l.code}
              checked={checked}
              onChange={() => onChange(l.code)}
              className="absolute inset-0 size-full cursor-pointer appearance-none rounded-full"
            />
            <span lang={l.code}>{l.name}</span>
          </label>
        );
      })}
    </fieldset>
  );
}

/**
 * While `active` (a translation is awaited), calls `refresh` after 2 s, 4 s, 8 s… (at most every
 * 60 s). Translations normally arrive by postUpdated; this catches an event that fired before the
 * subscription was live, without polling forever when the API has no translation model.
 */
export function useRefreshWhile(active: boolean, refresh: () => void) {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    if (!active) return;
    let delay = 2000;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      latest.current();
      delay = Math.min(delay * 2, 60_000);
      timer = setTimeout(tick, delay);
    };
    timer = setTimeout(tick, delay);
    return () => clearTimeout(timer);
  }, [active]);
}
