import { hash } from '@node-rs/argon2';
import { createUser } from '../../src/users/user.service';
import { createTestBrand, PASSWORD, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/**
 * Sign-in is limited per account and per client address (counters in PostgreSQL, through rate-limiter-flexible); the
 * dashboard's forwarded address counts only when it comes with the shared secret; unknown emails and wrong passwords
 * get the same answer and count alike; passwords are hashed with argon2id at OWASP's parameters.
 */
const FORWARDING_SECRET = 'f'.repeat(40);
const PER_ACCOUNT = 3;
const PER_ADDRESS = 6;
let t: TestApp;
let brand: TestBrand;

beforeAll(async () => {
  t = await startTestApp({
    SIGN_IN_LIMIT_PER_ACCOUNT: String(PER_ACCOUNT),
    SIGN_IN_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
    SIGN_IN_WINDOW_SECONDS: '600',
    DASHBOARD_FORWARDING_SECRET: FORWARDING_SECRET,
  });
  brand = await createTestBrand(t);
});
afterAll(() => t.close());

const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token viewer { role } } }`;

let addressCounter = 0;
/** A client address of its own for each test, as the dashboard forwards it. */
const freshAddress = () => `198.51.100.${++addressCounter}`;

async function login(email: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: LOGIN, variables: { e: email, p: password } }),
  });
  const body = (await res.json()) as any;
  return { status: res.status, retryAfter: res.headers.get('retry-after'), code: body.errors?.[0]?.extensions?.code ?? 'OK', body };
}

const from = (address: string, secret = FORWARDING_SECRET) => ({ 'x-luneo-client-address': address, 'x-luneo-forwarding-secret': secret });

/** An account with no failures counted yet. */
async function newUser(role = 'STAFF') {
  const email = `person-${Math.random().toString(36).slice(2)}@${brand.slug}.test`;
  await createUser(t.orm.em.fork(), { brandSlug: brand.slug, email, password: PASSWORD, role: role as any });
  return email;
}

describe('per account', () => {
  it('after the allowed failures even the right password waits; a 429 with Retry-After', async () => {
    const email = await newUser();
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect((await login(email, 'wrong password', from(freshAddress()))).code).toBe('UNAUTHENTICATED');
    }
    const blocked = await login(email, PASSWORD, from(freshAddress()));
    expect(blocked.code).toBe('THROTTLED');
    expect(blocked.status).toBe(429);
    const retry = blocked.body.errors[0].extensions.retryAfterSeconds;
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(600);
    expect(blocked.retryAfter).toBe(String(retry));
    expect(blocked.body.data).toBeNull();
  });

  it('an unknown email gets the same answer and the same limit (no way to tell who has an account)', async () => {
    const known = await newUser();
    const unknown = `nobody-${Math.random()}@example.com`;
    const answers = { known: [] as unknown[], unknown: [] as unknown[] };
    for (let i = 0; i <= PER_ACCOUNT; i++) {
      for (const [kind, email] of [['known', known], ['unknown', unknown]] as const) {
        const res = await login(email, 'wrong password', from(freshAddress()));
        answers[kind].push({ status: res.status, errors: res.body.errors.map((e: any) => ({ message: e.message.replace(/\d+ seconds/, 'N seconds'), code: e.extensions.code })) });
      }
    }
    expect(answers.unknown).toEqual(answers.known);
    expect((answers.known.at(-1) as any).errors[0].code).toBe('THROTTLED');
  });

  it('a success forgives the account’s failures', async () => {
    const email = await newUser();
    for (let i = 0; i < PER_ACCOUNT - 1; i++) await login(email, 'wrong password', from(freshAddress()));
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('OK');
    for (let i = 0; i < PER_ACCOUNT; i++) {
      expect((await login(email, 'wrong password', from(freshAddress()))).code).toBe('UNAUTHENTICATED');
    }
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('THROTTLED');
  });

  it('concurrent guesses cannot slip past the count', async () => {
    const email = await newUser();
    const answers = await Promise.all(Array.from({ length: 10 }, () => login(email, 'wrong password', from(freshAddress()))));
    const tally = answers.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.code]: (acc[a.code] ?? 0) + 1 }), {});
    expect(tally).toEqual({ UNAUTHENTICATED: PER_ACCOUNT, THROTTLED: 10 - PER_ACCOUNT });
  });
});

describe('per client address', () => {
  it('failures on many accounts from one address are limited; another address is not', async () => {
    const address = freshAddress();
    for (let i = 0; i < PER_ADDRESS; i++) {
      expect((await login(`spray-${i}@example.com`, 'guess', from(address))).code).toBe('UNAUTHENTICATED');
    }
    const email = await newUser();
    expect((await login(email, PASSWORD, from(address))).code).toBe('THROTTLED');
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('OK');
  });

  it('a forwarded address without the right secret is ignored: the failures count against the sender itself', async () => {
    // Each attempt claims another address, but without the secret (or with a wrong one) they all count as the sender's.
    for (let i = 0; i < PER_ADDRESS; i++) {
      const res = await login(`forger-${i}@example.com`, 'guess', i % 2 ? from(freshAddress(), 'x'.repeat(40)) : { 'x-luneo-client-address': freshAddress() });
      expect(res.code).toBe('UNAUTHENTICATED');
    }
    const email = await newUser();
    expect((await login(email, PASSWORD, { 'x-luneo-client-address': freshAddress() })).code).toBe('THROTTLED');
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('OK');
  });

  it('an over-long email or password is refused like any wrong one, without hashing it', async () => {
    const res = await login('a'.repeat(400) + '@example.com', 'x', from(freshAddress()));
    expect(res.code).toBe('UNAUTHENTICATED');
    const long = await login(await newUser(), 'p'.repeat(5000), from(freshAddress()));
    expect(long.code).toBe('UNAUTHENTICATED');
  });
});

describe('password hashing', () => {
  it('argon2id at OWASP parameters (19 MiB, t=2, p=1); older hashes still verify and are upgraded on sign-in', async () => {
    const email = await newUser();
    const [fresh] = await t.sql('select password_hash from users where email = ?', [email]);
    expect(fresh.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // A hash as the seed and the CLI made them before (4 MiB, t=3).
    await t.sql('update users set password_hash = ? where email = ?', [await hash(PASSWORD, { memoryCost: 4096, timeCost: 3, parallelism: 1 }), email]);
    const [old] = await t.sql('select password_hash from users where email = ?', [email]);
    expect(old.password_hash).toMatch(/^\$argon2id\$v=19\$m=4096,t=3,p=1\$/);
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('OK');
    const [upgraded] = await t.sql('select password_hash from users where email = ?', [email]);
    expect(upgraded.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await login(email, PASSWORD, from(freshAddress()))).code).toBe('OK');
  });
});
