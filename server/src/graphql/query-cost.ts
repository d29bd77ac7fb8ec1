import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isListType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimatorArgs } from 'graphql-query-complexity';

/**
 * The cost of an operation, computed from its document and variables before anything runs (graphql-query-complexity
 * walks the document, fragments, aliases, @skip/@include; the estimator below prices each field).
 *
 * The model, in points (one point ≈ one row-shaped object loaded or computed):
 * - a scalar or enum: 0; a value object with no I/O of its own (Money, Actor, Customer, PageInfo, edges…): 0 + its fields;
 * - any other object: 1 + its fields; a mutation: 10 + its result;
 * - a connection: 2 + page size × the cost of one node (edges and nodes both count), + 10 when `totalCount` is asked;
 * - a list without a page size (an order's items or timeline): 3 × the cost of one element, an estimate of the
 *   typical size — these are batched per page, so their cost is output, not statements;
 * - `discountCodes(first)`, `topProducts(limit)`: that size × one element;
 * - `orderStats`: 10 + one point per week of its range (the rows it scans) + one per bucket of the series, + its
 *   fields (`topProducts(limit)` costs `limit`).
 * Aliases repeat fields, so they repeat the cost; nested lists multiply.
 */

export const DEFAULT_QUERY_COST_LIMIT = 1000;

const CONNECTION_BASE = 2;
const TOTAL_COUNT_COST = 10;
const MUTATION_BASE = 10;
const STATS_BASE = 10;
const UNSIZED_LIST_ESTIMATE = 3;
const DEFAULT_PAGE_SIZE = 20;

/** Types that are values embedded in their parent's row: reading them costs nothing beyond their parent. */
const VALUE_TYPES = new Set([
  'Money', 'Actor', 'Customer', 'Address', 'PageInfo', 'OrderEdge', 'ProductEdge', 'WebhookEventEdge', 'AuditLogEdge', 'StatsRangeEcho',
  'CurrencyStats', 'StatusCount', 'PaymentStatusCount', 'StatsPoint', 'OrderQuote', 'Subscription', 'Viewer',
]);

const DAY_MS = 86_400_000;
const BUCKET_MS: Record<string, number> = { DAY: DAY_MS, WEEK: 7 * DAY_MS, MONTH: 28 * DAY_MS };

/** A page size as asked (first, else last, else the default); what a negative or absurd one means is the resolver's call. */
function pageSize(args: Record<string, unknown>): number {
  const asked = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  return Math.max(0, asked);
}

/** Whether a connection's selection asks for `totalCount`, directly or through its fragments. */
function asksForTotalCount(selectionSet: SelectionSetNode | undefined, document: DocumentNode, seen = new Set<string>()): boolean {
  return (selectionSet?.selections ?? []).some((selection) => {
    if (selection.kind === 'Field') return selection.name.value === 'totalCount';
    if (selection.kind === 'InlineFragment') return asksForTotalCount(selection.selectionSet, document, seen);
    const name = selection.name.value;
    if (seen.has(name)) return false;
    seen.add(name);
    const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === 'FragmentDefinition' && d.name.value === name);
    return asksForTotalCount(fragment?.selectionSet, document, seen);
  });
}

function statsCost(args: Record<string, any>): number {
  const range = args.range ?? {};
  const from = range.from instanceof Date ? range.from.getTime() : NaN;
  const to = range.to instanceof Date ? range.to.getTime() : NaN;
  // An unreadable range is refused by the resolver before any SQL; price it as nothing scanned.
  const span = Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, to - from) : 0;
  const buckets = Math.ceil(span / (BUCKET_MS[range.interval ?? 'DAY'] ?? DAY_MS));
  return STATS_BASE + Math.ceil(span / (7 * DAY_MS)) + buckets;
}

/** A page asked for at the root of the operation: what each of its nodes costs, so unfilled places can be refunded. */
export interface RootPage {
  responseKey: string;
  size: number;
  perNode: number;
}

interface EstimateContext {
  document: DocumentNode;
  rootPages: RootPage[];
}

function estimate({ type, field, args, childComplexity, node, context }: ComplexityEstimatorArgs): number {
  const { document, rootPages } = context as EstimateContext;
  const named = getNamedType(field.type);
  if (!isCompositeType(named)) return 0;
  const key = `${type.name}.${field.name}`;
  if (key === 'Query.orderStats') return statsCost(args) + childComplexity;
  if (named.name.endsWith('Connection')) {
    const size = pageSize(args);
    if (type.name === 'Query') rootPages.push({ responseKey: node.alias?.value ?? node.name.value, size, perNode: childComplexity });
    return CONNECTION_BASE + size * childComplexity + (asksForTotalCount(node.selectionSet, document) ? TOTAL_COUNT_COST : 0);
  }
  const own = (type.name === 'Mutation' ? MUTATION_BASE : 0) + (VALUE_TYPES.has(named.name) ? 0 : 1);
  // The connection above multiplies one node by the page size; these lists must not multiply it again.
  if (type.name.endsWith('Connection') && (field.name === 'edges' || field.name === 'nodes')) return own + childComplexity;
  if (!isListType(getNullableType(field.type))) return own + childComplexity;
  const size = typeof args.first === 'number' ? Math.max(0, args.first) : typeof args.limit === 'number' ? Math.max(0, args.limit) : UNSIZED_LIST_ESTIMATE;
  return size * (own + childComplexity);
}

export interface OperationCost {
  cost: number;
  rootPages: RootPage[];
}

/**
 * The operation's cost. Variables that do not fit the document make the walk throw: that is the client's mistake,
 * answered as BAD_USER_INPUT without running anything.
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): OperationCost {
  const context: EstimateContext = { document, rootPages: [] };
  try {
    const cost = getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators: [estimate], context });
    return { cost, rootPages: context.rootPages };
  } catch (error) {
    throw new GraphQLError(error instanceof Error ? error.message : 'Invalid variables', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/**
 * What the operation cost once it ran: the requested cost less the places its root pages did not fill (a page of 100
 * that found 7 orders is charged for 7), as Shopify's actualQueryCost. Lists inside nodes stay at their estimate.
 */
export function actualCost(requested: OperationCost, data: Record<string, unknown> | null | undefined): number {
  let unused = 0;
  for (const page of requested.rootPages) {
    const connection = data?.[page.responseKey] as { nodes?: unknown[]; edges?: unknown[] } | null | undefined;
    if (!connection) continue;
    const returned = Math.max(connection.nodes?.length ?? 0, connection.edges?.length ?? 0);
    unused += Math.max(0, page.size - returned) * page.perNode;
  }
  return Math.max(0, requested.cost - unused);
}
