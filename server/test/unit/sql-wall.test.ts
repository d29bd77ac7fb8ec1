import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(__dirname, '../../src');

/** The modules that may run SQL no brand scopes, and why (each call in them says why too). */
const MAY_CROSS_BRANDS: Record<string, string> = {
  'shared/sql.ts': 'the wall itself: scopedSql binds the brand, then runs the statement',
  'stripe/brand-resolution.ts': 'finds which brand a Stripe event belongs to',
  'stripe/event-delivery.ts': 'records Stripe deliveries, which arrive before their brand is known',
  'stripe/events/pending-payments.ts': 'parks payments and refunds whose brand or order is not known yet',
  'db/seed.ts': 'backdates the demo timeline with its append-only trigger disabled (ALTER TABLE has no brand)',
  'auth/credentials.ts': 'finds the session or API key of a bearer token by its digest (and charges its bucket), before any brand is known',
};

/** Modules that reach the connection for tables that hold no brand's data (keyed by credential, not by brand). */
const OUTSIDE_ANY_BRAND: Record<string, string> = {
  'graphql/cost-buckets.ts': 'the query-cost buckets, one per API key or session, shared by every API instance',
  'auth/sign-in-limits.ts': 'counters of failed sign-ins per email digest and client address, before any brand is known',
  'db/pipelined-transaction.ts': 'opens knex transactions whose BEGIN and COMMIT ride with their statements; sends no statement of its own',
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sourceFiles(SRC).map((file) => ({
  name: path.relative(SRC, file).split(path.sep).join('/'),
  text: fs.readFileSync(file, 'utf8'),
}));

describe('the SQL wall', () => {
  it('only the modules that must cross brands import unscoped SQL', () => {
    const importers = files.filter((f) => /from '[./]*(shared\/)?unscoped-sql'/.test(f.text)).map((f) => f.name);
    expect(importers.sort()).toEqual(Object.keys(MAY_CROSS_BRANDS).sort());
  });

  it('nothing else reaches the connection, knex or the query builder, which no brand filter covers', () => {
    const bypasses = files
      .filter((f) => f.name !== 'shared/unscoped-sql.ts' && f.name !== 'app.ts' && !(f.name in OUTSIDE_ANY_BRAND))
      .filter((f) => /getConnection\(|getKnex\(|createQueryBuilder\(|\.qb\(/.test(f.text))
      .map((f) => f.name);
    expect(bypasses).toEqual([]);
  });
});
