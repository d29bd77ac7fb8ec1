import { z } from 'zod';

/**
 * Every environment variable the dashboard's server reads, parsed once at boot.
 * Nothing here reaches the browser: routes hand the client only what it needs through loaders.
 */
const DEV_SESSION_SECRET = 'luneo-dev-session-secret-change-me';

const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    /** The API port, used only to build the default API_URL. */
    PORT: z.coerce.number().int().min(1).max(65535).default(4000),
    API_URL: z.string().url().optional(),
    SESSION_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Mark the session cookie `Secure` (set to true behind HTTPS). */
    COOKIE_SECURE: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  })
  .transform((env) => ({
    nodeEnv: env.NODE_ENV,
    apiUrl: env.API_URL ?? `http://127.0.0.1:${env.PORT}/graphql`,
    sessionSecret: env.SESSION_SECRET ?? DEV_SESSION_SECRET,
    sessionSecretIsDefault: env.SESSION_SECRET === undefined,
    cookieSecure: env.COOKIE_SECURE,
  }));

export type ServerEnv = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): ServerEnv {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment for the dashboard:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const env = parseEnv(process.env);

if (env.nodeEnv === 'production' && env.sessionSecretIsDefault) {
  console.warn('[luneo-web] SESSION_SECRET is not set: using the development secret. Set it in production.');
}
