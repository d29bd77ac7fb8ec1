import { startTestApp, type TestApp } from '../support/harness';
import { signature, STRIPE_ENV, stripeEvent, stripeId } from '../support/stripe';

/**
 * `POST /webhooks/stripe` is served without Express's router (ops/direct-route.ts); any other spelling of the URL
 * (`/webhooks/stripe/`) still goes through it. Both must answer alike: same status, headers and body, whatever the request.
 */
let t: TestApp;

beforeAll(async () => {
  t = await startTestApp(STRIPE_ENV);
});
afterAll(() => t.close());

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

async function post(path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers, body });
  const answer = { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() };
  // What differs per request by design.
  delete answer.headers.date;
  delete answer.headers['x-request-id'];
  return answer;
}

/** The same request through both paths; `make` builds it afresh for each (an event is processed once). */
async function bothWays(make: () => { body: string | Buffer; headers: Record<string, string> }): Promise<[Answer, Answer]> {
  const direct = make();
  const routed = make();
  return [await post('/webhooks/stripe', direct.body, direct.headers), await post('/webhooks/stripe/', routed.body, routed.headers)];
}

function signed(body: string) {
  return { body, headers: { 'content-type': 'application/json', 'stripe-signature': signature(body) } };
}

const ignoredEvent = () => signed(JSON.stringify(stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer' })));

it.each([
  ['an event handled (ignored)', ignoredEvent],
  ['no signature', () => ({ body: '{}', headers: { 'content-type': 'application/json' } })],
  ['a wrong signature', () => ({ body: '{}', headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=00' } })],
  ['a signed body that is not JSON', () => signed('not json')],
  ['a signed body that is not an event', () => signed('{"object":"customer"}')],
  ['a body over the 1 MB limit', () => signed(JSON.stringify({ object: 'event', padding: 'x'.repeat(1_100_000) }))],
  ['no body at all', () => ({ body: '', headers: { 'stripe-signature': 't=1,v1=00' } })],
])('%s: the direct route answers as the router does', async (_name, make) => {
  const [direct, routed] = await bothWays(make);
  const withoutEventId = (answer: Answer) => ({ ...answer, body: answer.body.replace(/evt_\w+/g, 'evt'), headers: answer.headers });
  expect(withoutEventId(direct)).toEqual(withoutEventId(routed));
  expect(direct.headers['x-frame-options']).toBe('DENY');
  expect(direct.headers['content-type']).toBe('application/json; charset=utf-8');
});

it('an oversized body is refused with 413 and the error body of the app', async () => {
  const { body, headers } = signed(JSON.stringify({ object: 'event', padding: 'x'.repeat(1_100_000) }));
  const answer = await post('/webhooks/stripe', body, headers);
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: 'Malformed request', extensions: { code: 'BAD_REQUEST' } }] });
});

it('other methods and paths still go through Express', async () => {
  const res = await fetch(`${t.url}/webhooks/stripe`, { method: 'GET' });
  expect(res.status).toBe(404);
  expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
});

it('the direct route keeps the request id a client sends, as the request log does', async () => {
  const res = await fetch(`${t.url}/webhooks/stripe`, { method: 'POST', headers: { 'x-request-id': 'req-from-stripe-1' }, body: '{}' });
  expect(res.status).toBe(400);
  expect(res.headers.get('x-request-id')).toBe('req-from-stripe-1');
});
