import autocannon from 'autocannon';

/**
 * Issue 8's flood scenario: one partner key of the big brand sends expensive operations as fast as it can while
 * another brand's dashboard does its usual reads, against an API that runs with the production limits (default
 * capacity and restore rate). The flood is throttled, so the other brand's p99 should stay within 2× of its quiet
 * p99. A figure, never an assertion.
 */
export interface FloodResult {
  quiet: autocannon.Result;
  flooded: autocannon.Result;
  flood: autocannon.Result;
  /** The other brand's dashboard answers, quiet then flooded: throttled by its own session's bucket, or failed otherwise. */
  quietAnswers: DashboardAnswers;
  floodedAnswers: DashboardAnswers;
}

/**
 * The other brand's dashboard reads at a person's pace (DASHBOARD_RATE): its own session's bucket then never throttles
 * it, so its p99 measures answers, not refusals. Any 429 it still gets is counted apart from failures.
 */
export interface DashboardAnswers {
  throttled: number;
  failed: number;
}

/** Requests per second of the other brand's dashboard: about 40 points a second, under the 50 its bucket restores. */
const DASHBOARD_RATE = 2;

export async function benchFlood(options: { apiUrl: string; floodKey: string; quietToken: string; seconds: number }): Promise<FloodResult> {
  const { apiUrl, floodKey, quietToken, seconds } = options;
  const url = `${apiUrl}/graphql`;
  const quietAnswers: DashboardAnswers = { throttled: 0, failed: 0 };
  const floodedAnswers: DashboardAnswers = { throttled: 0, failed: 0 };

  const quiet = await autocannon({ url, connections: 2, overallRate: DASHBOARD_RATE, duration: seconds, requests: dashboardRequests(quietToken, quietAnswers) });
  await settle();

  const year = 365 * 86_400_000;
  const stats = `{ orderStats(range: { from: "${new Date(Date.now() - 2 * year).toISOString()}", to: "${new Date().toISOString()}" }) {
      byCurrency { orderCount netRevenue { amount } } series { periodStart orderCount } topProducts(limit: 20) { sku quantity } } }`;
  const bigPage = `{ orders(first: 100, filter: { search: "product 1" }) { nodes { id items { sku } statusHistory { kind } } } }`;
  const floodBody = (query: string) => ({
    method: 'POST' as const,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${floodKey}` },
    body: JSON.stringify({ query }),
  });
  const [flooded, flood] = await Promise.all([
    autocannon({ url, connections: 2, overallRate: DASHBOARD_RATE, duration: seconds, requests: dashboardRequests(quietToken, floodedAnswers) }),
    autocannon({ url, connections: 20, duration: seconds, requests: [floodBody(stats), floodBody(bigPage)] }),
  ]);
  await settle();
  return { quiet, flooded, flood, quietAnswers, floodedAnswers };
}

/** What the orders page of the dashboard asks for: who am I, then the first page of orders. */
function dashboardRequests(token: string, answers: DashboardAnswers): autocannon.Request[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const request = (query: string): autocannon.Request => ({
    method: 'POST',
    headers,
    body: JSON.stringify({ query }),
    onResponse: (status: number, body: string) => {
      if (status === 429) answers.throttled++;
      else if (status >= 300 || body.includes('"errors"')) answers.failed++;
    },
  });
  return [
    request(`{ viewer { role brand { id name currency } } }`),
    request(`{ orders(first: 20) { totalCount pageInfo { endCursor hasNextPage } nodes { id number status paymentStatus createdAt
        total { amount formatted } customer { email name } items { sku quantity } } } }`),
  ];
}

function settle() {
  return new Promise((resolve) => setTimeout(resolve, 500));
}
