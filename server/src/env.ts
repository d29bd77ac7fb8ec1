import { z } from 'zod';

const booleanFlag = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Every environment variable the server reads, validated once at start. `.env.example` lists the same set. */
const EnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4000),
    WEB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
    DATA_DIR: z.string().min(1).default('.data'),
    SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 7),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Seed the demo brand into an empty database at start; unset: yes, except in production. */
    SEED_DEMO: booleanFlag.optional(),
    /** Answer introspection queries; unset: yes, except in production. */
    GRAPHQL_INTROSPECTION: booleanFlag.optional(),
    /** Bearer token that opens /metrics to other hosts than this one's loopback interface. */
    METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** The most points one operation may cost (docs/partners.md); above it: QUERY_TOO_COSTLY, and nothing runs. */
    QUERY_COST_LIMIT: z.coerce.number().int().min(1).default(1000),
    /** Every API key and session has a leaky bucket of this many points… */
    THROTTLE_CAPACITY: z.coerce.number().int().min(1).default(1000),
    /** …refilled at this many points per second (shared by every API instance: the buckets live in PostgreSQL). */
    THROTTLE_RESTORE_RATE: z.coerce.number().positive().default(50),
    /** Failed sign-ins allowed per account, and per client address, in each window. */
    SIGN_IN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(10),
    SIGN_IN_LIMIT_PER_ADDRESS: z.coerce.number().int().min(1).default(100),
    SIGN_IN_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    /**
     * Shared with the dashboard, which sends it with the person's address (x-luneo-forwarding-secret and
     * x-luneo-client-address); without it every sign-in through the dashboard counts against the dashboard's address.
     */
    DASHBOARD_FORWARDING_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    STRIPE_SECRET_KEY: z.string().optional(),
    STRIPE_WEBHOOK_SECRET: z.string().optional(),
    /**
     * A Stripe delivery is stored, then processed; its answer waits this long for the outcome, else says it is queued
     * (Stripe asks for a 2xx quickly; the outcome shows in Stripe's log of the delivery when it came in time).
     */
    STRIPE_ANSWER_WITHIN_MS: z.coerce.number().int().min(0).max(10_000).default(50),
    /** How many Stripe events one API process applies at once (each holds one of its 10 pooled connections). */
    STRIPE_EVENT_WORKERS: z.coerce.number().int().min(1).max(8).default(4),
    /** How often stored Stripe events left unprocessed are looked for, and the first pause before one is retried. */
    STRIPE_EVENT_RETRY_SECONDS: z.coerce.number().positive().max(3600).default(10),
    /** Where the Stripe SDK sends API calls; only tests and local stand-ins change these. */
    STRIPE_API_HOST: z.string().min(1).optional(),
    STRIPE_API_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
  })
  // Conveniences of a developer's machine are opt-in in production: demo logins and a browsable schema.
  .transform((env) => ({
    ...env,
    SEED_DEMO: env.SEED_DEMO ?? env.NODE_ENV !== 'production',
    GRAPHQL_INTROSPECTION: env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production',
  }));

export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {}

/** Parses `source` (process.env by default); the error names every wrong or missing variable on its own line. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
