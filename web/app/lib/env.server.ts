import { z } from 'zod';

/**
 * Every environment variable the dashboard's server reads, parsed once at boot.
 * Nothing here reaches the browser: routes hand the client only what it needs through loaders.
 */

/** Public, so only good enough for a laptop: production refuses to start with it (or without a secret). */
const DEV_SESSION_SECRET = 'luneo-dev-session-secret-change-me';
/** 32 characters of `openssl rand -hex 32` carry 128 bits; anything shorter is guessable offline from one cookie. */
const MIN_PRODUCTION_SECRET_LENGTH = 32;

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value.replace(/\/$/, '');
  } catch {
    return false;
  }
}

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** The API port, used only to build the default API_URL. */
    PORT: z.coerce.number().int().min(1).max(65535).default(4000),
    API_URL: z.string().url().optional(),
    SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** `Secure` session cookies; production defaults to true, `false` is an explicit opt-out for plain-HTTP tests. */
    COOKIE_SECURE: z.enum(['true', 'false']).optional(),
    /**
     * The origin people type (https://orders.example.com) when a proxy in front terminates HTTPS: remix-serve then sees
     * http://… and would take every same-origin form post for a cross-site one.
     */
    DASHBOARD_ORIGIN: z.string().refine(isOrigin, 'must be an origin only, like https://orders.example.com').optional(),
    /**
     * The API's DASHBOARD_FORWARDING_SECRET: with it, the person's address (from the proxy in front) goes along with
     * sign-ins, so that the API limits failed sign-ins per person rather than per dashboard. Set it only behind a
     * proxy that appends to X-Forwarded-For.
     */
    DASHBOARD_FORWARDING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    const secret = env.SESSION_SECRET;
    if (!secret || secret === DEV_SESSION_SECRET || secret.length < MIN_PRODUCTION_SECRET_LENGTH) {
      ctx.addIssue({
        code: 'custom',
        path: ['SESSION_SECRET'],
        message: `set it to at least ${MIN_PRODUCTION_SECRET_LENGTH} random characters in production (openssl rand -hex 32)`,
      });
    }
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    apiUrl: env.API_URL ?? `http://127.0.0.1:${env.PORT}/graphql`,
    sessionSecret: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionSecretIsDefault: env.SESSION_SECRET === undefined,
    cookieSecure: env.COOKIE_SECURE === undefined ? env.NODE_ENV === 'production' : env.COOKIE_SECURE === 'true',
    dashboardOrigin: env.DASHBOARD_ORIGIN ? new URL(env.DASHBOARD_ORIGIN).origin : null,
    forwardingSecret: env.DASHBOARD_FORWARDING_SECRET ?? null,
  }));

export type ServerEnv = z.infer<typeof EnvSchema>;

/** Parses the environment; a wrong or missing variable throws one line that names each of them and what to do. */
export function parseEnv(source: Record<string, string | undefined>): ServerEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment for the dashboard: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function parseOrExit(source: Record<string, string | undefined>): ServerEnv {
  try {
    return parseEnv(source);
  } catch (error) {
    // A production server must not start half-configured, and its operator needs the reason, not a stack trace.
    if (source.NODE_ENV !== 'production') throw error;
    console.error(`[luneo-web] ${(error as Error).message}`);
    process.exit(1);
  }
}

export const env = parseOrExit(process.env);
