import autocannon from 'autocannon';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { ServerProcess } from './processes';
import type { Row } from './report';

/**
 * `--instances n`: n API processes on one database, as behind a load balancer. A mixed load (list pages, stats,
 * order creation) goes to all of them at once with one session, then every instance must give the same answers to
 * the same reads, and the orders created through all of them must be numbered without a gap or a duplicate — which
 * holds only if nothing that matters lives in one process's memory.
 */
export async function compareInstances(
  ctx: {
    orm: MikroORM;
    dataset: { bigBrand: { id: string; productIds: string[] } };
    duration: number;
    connections: number;
    instances: number;
    log: (line: string) => void;
  },
  startApi: (name: string, env: Record<string, string>) => Promise<ServerProcess>,
  token: string,
  listDocument: string,
): Promise<Row[]> {
  ctx.log(`instances-${ctx.instances}…`);
  const apis: ServerProcess[] = [];
  try {
    for (let i = 0; i < ctx.instances; i++) {
      apis.push(await startApi(`API instance ${i + 1}`, { THROTTLE_RESTORE_RATE: '1000000000', THROTTLE_CAPACITY: '1000000000' }));
    }
    const conn = ctx.orm.em.getConnection();
    const [before] = await conn.execute(`select last_order_seq from brands where id = ?`, [ctx.dataset.bigBrand.id]);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    let failures = 0;
    let created = 0;
    const onResponse = (status: number, body: string) => {
      if (status >= 300 || body.includes('"errors"')) failures++;
    };
    const day = 86_400_000;
    const requests: autocannon.Request[] = [
      { method: 'POST', headers, body: JSON.stringify({ query: listDocument }), onResponse },
      {
        method: 'POST',
        headers,
        body: JSON.stringify({
          query: `query($r: StatsRange!) { orderStats(range: $r) { byCurrency { orderCount } } }`,
          variables: { r: { from: new Date(Date.now() - 30 * day).toISOString(), to: new Date().toISOString() } },
        }),
        onResponse,
      },
      {
        method: 'POST',
        headers,
        setupRequest: (req: any) => ({
          ...req,
          body: JSON.stringify({
            query: `mutation($i: CreateOrderInput!) { createOrder(input: $i) { number } }`,
            variables: { i: { items: [{ productId: ctx.dataset.bigBrand.productIds[2], quantity: 1 }], customer: { email: `multi${created++}@example.com` } } },
          }),
        }),
        onResponse,
      },
    ];
    const perInstance = Math.max(1, Math.round(ctx.connections / apis.length));
    const results = await Promise.all(
      apis.map((api) => autocannon({ url: `${api.url}/graphql`, method: 'POST', connections: perInstance, duration: ctx.duration, requests })),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));

    // The same reads through every instance must give the same bytes (the list's first page, the stats).
    const probe = async (api: ServerProcess) => {
      const answers: string[] = [];
      for (const body of [requests[0].body, requests[1].body]) {
        const res = await fetch(`${api.url}/graphql`, { method: 'POST', headers, body: body as string });
        answers.push(await res.text());
      }
      return answers.join('\n');
    };
    const answers = await Promise.all(apis.map(probe));
    const identical = answers.every((a) => a === answers[0]) && !answers[0].includes('"errors"');
    const [after] = await conn.execute(
      `select b.last_order_seq, count(o.id)::int as created, count(distinct o.seq)::int as distinct_seqs,
              coalesce(min(o.seq), 0) as min_seq, coalesce(max(o.seq), 0) as max_seq
         from brands b left join orders o on o.brand_id = b.id and o.seq > ? where b.id = ? group by b.last_order_seq`,
      [before.last_order_seq, ctx.dataset.bigBrand.id],
    );
    const gapFree =
      after.created === after.distinct_seqs &&
      (after.created === 0 || (after.min_seq === before.last_order_seq + 1 && after.max_seq === after.last_order_seq && after.max_seq - after.min_seq + 1 === after.created));
    ctx.log(
      `  ${apis.length} instances: answers ${identical ? 'identical' : 'DIFFERENT'}; ${after.created} orders created through all of them, ` +
        `numbers ${gapFree ? 'gap-free and unique' : 'NOT gap-free'}`,
    );
    const total = results.reduce((n, r) => n + r.requests.total, 0);
    const duration = Math.max(...results.map((r) => r.duration));
    return [
      {
        name: `instances-${apis.length}-mixed`,
        rps: Math.round((total / duration) * 10) / 10,
        p50Ms: Math.max(...results.map((r) => r.latency.p50)),
        p99Ms: Math.max(...results.map((r) => r.latency.p99)),
        sqlPerRequest: null,
        rssMb: null,
        ceiling: null,
        ratio: null,
        connections: perInstance * apis.length,
        requests: total,
        failures: failures + results.reduce((n, r) => n + r.errors, 0) + (identical ? 0 : 1) + (gapFree ? 0 : 1),
      },
    ];
  } finally {
    await Promise.all(apis.map((api) => api.stop()));
  }
}
