import { CREATE_ORDER, codes, createTestBrand, createTestProduct, orderInput, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/** Discount codes nobody has used can be corrected or deleted; used ones can only be deactivated. */

let t: TestApp;
let brand: TestBrand;
let productId: string;

const CREATE = `mutation($input: CreateDiscountCodeInput!) { createDiscountCode(input: $input) { id code timesUsed } }`;
const UPDATE = `mutation($id: ID!, $input: CreateDiscountCodeInput!) {
  updateDiscountCode(id: $id, input: $input) { id code percentOff amountOff { amount } validUntil usageLimit } }`;
const DELETE = `mutation($id: ID!) { deleteDiscountCode(id: $id) }`;
const LIST = `{ discountCodes(first: 100) { id code } }`;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  productId = (await createTestProduct(brand, { stock: 100, price: 10_000 })).id;
});
afterAll(() => t.close());

async function newCode(code: string) {
  const res = await t.gql(CREATE, { input: { code, percentOff: 10 } }, brand.tokens.ADMIN);
  expect(res.errors).toBeUndefined();
  return res.data.createDiscountCode.id as string;
}

it('an unused code is edited in full: code, kind of discount, validity, limit', async () => {
  const id = await newCode('SPRING10');
  const res = await t.gql(
    UPDATE,
    { id, input: { code: 'spring15', amountOff: 1500, validUntil: '2027-05-01T00:00:00.000Z', usageLimit: 50 } },
    brand.tokens.ADMIN,
  );
  expect(res.errors).toBeUndefined();
  expect(res.data.updateDiscountCode).toEqual({
    id,
    code: 'SPRING15',
    percentOff: null,
    amountOff: { amount: 1500 },
    validUntil: '2027-05-01T00:00:00.000Z',
    usageLimit: 50,
  });
});

it('an edit follows the creation rules and never takes another code’s name', async () => {
  const id = await newCode('RULES10');
  await newCode('TAKEN10');
  expect(codes(await t.gql(UPDATE, { id, input: { code: 'RULES10', percentOff: 10, amountOff: 100 } }, brand.tokens.ADMIN))).toEqual(['BAD_USER_INPUT']);
  const taken = await t.gql(UPDATE, { id, input: { code: 'TAKEN10', percentOff: 10 } }, brand.tokens.ADMIN);
  expect(codes(taken)).toEqual(['BAD_USER_INPUT']);
  expect(taken.errors![0].extensions!.field).toBe('input.code');
});

it('an unused code is deleted; a used one is refused both and stays', async () => {
  const unused = await newCode('GONE10');
  const deleted = await t.gql(DELETE, { id: unused }, brand.tokens.ADMIN);
  expect(deleted.data.deleteDiscountCode).toBe(unused);
  expect((await t.gql(LIST, {}, brand.tokens.ADMIN)).data.discountCodes.map((c: any) => c.code)).not.toContain('GONE10');

  const used = await newCode('USED10');
  const order = await t.gql(CREATE_ORDER, { input: orderInput([{ productId, quantity: 1 }], { discountCode: 'USED10' }) }, brand.tokens.STAFF);
  expect(order.errors).toBeUndefined();
  const edit = await t.gql(UPDATE, { id: used, input: { code: 'USED10', percentOff: 50 } }, brand.tokens.ADMIN);
  expect(codes(edit)).toEqual(['INVALID_TRANSITION']);
  expect(edit.errors![0].message).toContain('deactivate it instead');
  expect(codes(await t.gql(DELETE, { id: used }, brand.tokens.ADMIN))).toEqual(['INVALID_TRANSITION']);
  const [row] = await t.sql('select percent_off, times_used from discount_codes where id = ?', [used]);
  expect(row).toEqual({ percent_off: 10, times_used: 1 });
});

it('needs ADMIN, and another brand’s code is not found', async () => {
  const id = await newCode('ADMINONLY');
  expect(codes(await t.gql(DELETE, { id }, brand.tokens.STAFF))).toEqual(['FORBIDDEN']);
  const other = await createTestBrand(t);
  expect(codes(await t.gql(DELETE, { id }, other.tokens.ADMIN))).toEqual(['NOT_FOUND']);
  expect(codes(await t.gql(UPDATE, { id, input: { code: 'ADMINONLY', percentOff: 5 } }, other.tokens.ADMIN))).toEqual(['NOT_FOUND']);
});
