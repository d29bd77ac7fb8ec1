import { LOCALE_COOKIE } from '~/lib/dates';
import { numberFormat, ownLanguageName } from '~/lib/intl-cache';
import { useLocaleInfo, usePreferredLocale } from '~/lib/locale';

/** Formats a person may pick; each is shown in its own words. */
const CHOICES = ['en-US', 'en-GB', 'fr-FR', 'de-DE', 'de-CH', 'it-IT', 'es-ES', 'nl-NL', 'ja-JP'];

/**
 * The person's own locale for numbers, dates and amounts, kept in a cookie for a year; "Brand default" removes it. The
 * page reloads so that the server renders every screen in it too.
 */
export function LocalePicker({ brandLocale }: { brandLocale: string }) {
  const preferred = usePreferredLocale();
  const { locale } = useLocaleInfo();
  const sample = numberFormat(locale).format(1234.5);

  function choose(value: string) {
    document.cookie = value
      ? `${LOCALE_COOKIE}=${encodeURIComponent(value)};path=/;max-age=31536000;samesite=lax`
      : `${LOCALE_COOKIE}=;path=/;max-age=0;samesite=lax`;
    window.location.reload();
  }

  return (
    <label className="locale-picker">
      <span className="sr-only">Number and date format (now {sample})</span>
      <select className="input input--small" value={preferred ?? ''} onChange={(e) => choose(e.target.value)}>
        <option value="">Brand default ({ownLanguageName(brandLocale)})</option>
        {CHOICES.map((choice) => (
          <option key={choice} value={choice}>
            {ownLanguageName(choice)}
          </option>
        ))}
      </select>
    </label>
  );
}
