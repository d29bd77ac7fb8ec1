import autocannon from 'autocannon';

/**
 * A scenario measured in turns with its ceiling. On the reference machine the host's speed moves by ±25 % within
 * minutes (the hypervisor's steal read 0.6–37 % from one scenario to the next in one run, bench/host.ts), so a ceiling
 * measured minutes after a scenario compares two different machines. Taking turns in short bursts, in ABBA order
 * (scenario, ceiling, ceiling, scenario, …), puts any drift on both sides alike; the ratio is then the scenario's
 * req/s over the ceiling's in the same window.
 */
export interface Burst {
  requests: number;
  sent: number;
  seconds: number;
  errors: number;
  timeouts: number;
  /** Each 2xx answer's latency in ms (autocannon's histogram, like this, keeps only 2xx answers). */
  latencies: number[];
}

/** One autocannon run, with every answer's latency kept so that several bursts give exact percentiles together. */
export function burst(options: autocannon.Options): Promise<Burst> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => {
      if (error) return reject(error);
      resolve({
        requests: result.requests.total,
        sent: result.requests.sent,
        seconds: result.duration,
        errors: result.errors,
        timeouts: result.timeouts,
        latencies,
      });
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

/** The order of turns: ABBA repeated, `rounds` turns a side (1 → scenario, ceiling). */
export function turns(rounds: number): ('scenario' | 'ceiling')[] {
  const order: ('scenario' | 'ceiling')[] = [];
  for (let i = 0; i < rounds; i++) order.push(...(i % 2 === 0 ? (['scenario', 'ceiling'] as const) : (['ceiling', 'scenario'] as const)));
  return order;
}

/** Sums bursts of one side. */
export function total(bursts: Burst[]): Burst {
  return {
    requests: bursts.reduce((n, b) => n + b.requests, 0),
    sent: bursts.reduce((n, b) => n + b.sent, 0),
    seconds: bursts.reduce((n, b) => n + b.seconds, 0),
    errors: bursts.reduce((n, b) => n + b.errors, 0),
    timeouts: bursts.reduce((n, b) => n + b.timeouts, 0),
    latencies: bursts.flatMap((b) => b.latencies),
  };
}
