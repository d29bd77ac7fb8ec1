import { createTestBrand, startTestApp, type TestApp } from '../support/harness';

/** A brand's locale is the one its amounts are formatted in, so a dashboard can format everything else alike. */

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t.close());

it.each([
  ['EUR', 'fr-FR'],
  ['USD', 'en-US'],
  ['JPY', 'ja-JP'],
])('a %s brand reads its locale as %s, the locale of its formatted amounts', async (currency, locale) => {
  const brand = await createTestBrand(t, { currency, shippingFlatRate: 123456 });
  const res = await t.gql(`{ viewer { brand { locale shippingFlatRate { amount currency formatted } } } }`, {}, brand.tokens.VIEWER);
  expect(res.errors).toBeUndefined();
  const { locale: read, shippingFlatRate } = res.data.viewer.brand;
  expect(read).toBe(locale);
  const expected = new Intl.NumberFormat(locale, { style: 'currency', currency }).format(currency === 'JPY' ? 123456 : 1234.56);
  expect(shippingFlatRate.formatted).toBe(expected);
});
