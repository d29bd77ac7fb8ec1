import type { EntityManager } from '@mikro-orm/postgresql';
import { moneyValue, type CurrencyCode, type MoneyValue } from '../shared/money';
import { cursorDate, decodeCursor, encodeCursor, pageRequest, toPage, type PageArgs } from '../shared/pagination';
import { parseId } from '../shared/ids';
import { likePattern, scopedSql } from '../shared/sql';
import { badInput } from '../errors';
import { MAX_SEARCH_LENGTH } from '../shared/validation';

export interface ProductRecord {
  id: string;
  sku: string;
  name: string;
  price: MoneyValue;
  stock: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

interface Scope {
  em: EntityManager;
  brandId: string;
}

const PRODUCT_COLUMNS = 'p.id, p.sku, p.name, p.price, p.stock, p.active, p.created_at, p.updated_at, b.currency';

function toProductRecord(r: any): ProductRecord {
  return {
    id: r.id,
    sku: r.sku,
    name: r.name,
    price: moneyValue(r.price, r.currency as CurrencyCode),
    stock: r.stock,
    active: r.active,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

export async function findProductById(scope: Scope, id: string): Promise<ProductRecord | null> {
  const rows = await scopedSql(
    scope,
    `select ${PRODUCT_COLUMNS} from products p join brands b on b.id = p.brand_id where p.brand_id = ? and p.id = ?`,
    [parseId(id)],
  );
  return rows[0] ? toProductRecord(rows[0]) : null;
}

/** Products, newest first, keyset-paginated on (created_at, id); search matches SKU or name. */
export async function listProducts(
  scope: Scope,
  args: PageArgs & { search?: string | null; activeOnly?: boolean | null },
) {
  const request = pageRequest({ first: args.first, after: args.after, last: args.last, before: args.before });
  const clauses = ['p.brand_id = ?'];
  const params: unknown[] = [];
  const search = args.search?.trim();
  if (search && search.length > MAX_SEARCH_LENGTH) throw badInput('search', `must be at most ${MAX_SEARCH_LENGTH} characters`);
  if (search) {
    clauses.push('(p.sku ilike ? or p.name ilike ?)');
    params.push(likePattern(search), likePattern(search));
  }
  if (args.activeOnly) clauses.push('p.active');
  const countClauses = [...clauses];
  const countParams = [...params];
  // Walking backwards reads the newer neighbours in ascending order; toPage flips them back.
  const field = request.backward ? 'before' : 'after';
  if (request.cursor) {
    const [at, id] = decodeCursor(request.cursor, field);
    const createdAt = cursorDate(at);
    if (!createdAt || typeof id !== 'string') throw badInput(field, 'is not a valid cursor');
    clauses.push(`(p.created_at, p.id) ${request.backward ? '>' : '<'} (?, ?)`);
    params.push(createdAt, parseId(id, field));
  }
  const direction = request.backward ? 'asc' : 'desc';
  const rows = await scopedSql(
    scope,
    `select ${PRODUCT_COLUMNS}
       from products p join brands b on b.id = p.brand_id
      where ${clauses.join(' and ')} order by p.created_at ${direction}, p.id ${direction} limit ?`,
    [...params, request.size + 1],
  );
  const records = rows.map(toProductRecord);
  const page = toPage(records, request, (p) => encodeCursor([p.createdAt.toISOString(), p.id]));
  return {
    ...page,
    totalCount: async () => {
      const [row] = await scopedSql<{ count: string }>(
        scope,
        `select count(*) as count from products p where ${countClauses.join(' and ')}`,
        countParams,
      );
      return Number(row.count);
    },
  };
}
