import { LOCALE_COOKIE, TZ_COOKIE, isValidLocale, isValidTimeZone, localeFromAcceptLanguage } from './dates';

function cookieValue(cookies: string, name: string): string | null {
  const match = new RegExp(`(?:^|;\\s*)${name}=([^;]+)`).exec(cookies);
  try {
    return match ? decodeURIComponent(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * The browser's locale (Accept-Language, used before sign-in), the locale the person chose (a cookie; null: the brand's)
 * and the time zone (a cookie set by the page; UTC until known).
 */
export function requestLocale(request: Request): { locale: string; preferredLocale: string | null; timeZone: string } {
  const cookies = request.headers.get('Cookie') ?? '';
  const tz = cookieValue(cookies, TZ_COOKIE);
  const preferred = cookieValue(cookies, LOCALE_COOKIE);
  return {
    locale: localeFromAcceptLanguage(request.headers.get('Accept-Language')),
    preferredLocale: isValidLocale(preferred) ? preferred : null,
    timeZone: isValidTimeZone(tz) ? tz : 'UTC',
  };
}
