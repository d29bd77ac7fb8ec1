import { TZ_COOKIE, isValidTimeZone, localeFromAcceptLanguage } from './dates';

/** The user's locale (Accept-Language) and time zone (a cookie set by the page; UTC until known). */
export function requestLocale(request: Request): { locale: string; timeZone: string } {
  const cookies = request.headers.get('Cookie') ?? '';
  const match = new RegExp(`(?:^|;\\s*)${TZ_COOKIE}=([^;]+)`).exec(cookies);
  let tz: string | null = null;
  try {
    tz = match ? decodeURIComponent(match[1]) : null;
  } catch {
    tz = null;
  }
  return {
    locale: localeFromAcceptLanguage(request.headers.get('Accept-Language')),
    timeZone: isValidTimeZone(tz) ? tz : 'UTC',
  };
}
