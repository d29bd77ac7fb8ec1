import { codes, createTestBrand, createTestProduct, startTestApp, type TestApp, type TestBrand } from '../support/harness';

/** Products page both ways: `last`/`before` walks back to exactly the rows `first`/`after` passed. */

let t: TestApp;
let brand: TestBrand;

const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
  products(first: $first, after: $after, last: $last, before: $before) {
    nodes { sku } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;

beforeAll(async () => {
  t = await startTestApp();
  brand = await createTestBrand(t);
  for (let i = 1; i <= 7; i++) await createTestProduct(brand, { sku: `P-${i}` });
});
afterAll(() => t.close());

it('goes forward two pages and back to the same first page', async () => {
  const first = (await t.gql(PAGE, { first: 3 }, brand.tokens.VIEWER)).data.products;
  expect(first.nodes.map((n: any) => n.sku)).toEqual(['P-7', 'P-6', 'P-5']);
  const second = (await t.gql(PAGE, { first: 3, after: first.pageInfo.endCursor }, brand.tokens.VIEWER)).data.products;
  expect(second.nodes.map((n: any) => n.sku)).toEqual(['P-4', 'P-3', 'P-2']);
  expect(second.pageInfo.hasPreviousPage).toBe(true);

  const back = (await t.gql(PAGE, { last: 3, before: second.pageInfo.startCursor }, brand.tokens.VIEWER)).data.products;
  expect(back.nodes.map((n: any) => n.sku)).toEqual(['P-7', 'P-6', 'P-5']);
  expect(back.pageInfo).toMatchObject({ hasPreviousPage: false, hasNextPage: true });

  const lastPage = (await t.gql(PAGE, { first: 3, after: second.pageInfo.endCursor }, brand.tokens.VIEWER)).data.products;
  expect(lastPage.nodes.map((n: any) => n.sku)).toEqual(['P-1']);
  const fromEnd = (await t.gql(PAGE, { last: 3, before: lastPage.pageInfo.startCursor }, brand.tokens.VIEWER)).data.products;
  expect(fromEnd.nodes.map((n: any) => n.sku)).toEqual(['P-4', 'P-3', 'P-2']);
  expect(fromEnd.pageInfo.hasPreviousPage).toBe(true);
});

it('refuses mixed directions and a broken cursor, naming the field', async () => {
  const mixed = await t.gql(PAGE, { first: 3, before: 'x' }, brand.tokens.VIEWER);
  expect(codes(mixed)).toEqual(['BAD_USER_INPUT']);
  const broken = await t.gql(PAGE, { last: 3, before: 'not-a-cursor' }, brand.tokens.VIEWER);
  expect(codes(broken)).toEqual(['BAD_USER_INPUT']);
  expect(broken.errors![0].extensions!.field).toBe('before');
});
