import { formatMoney, minorUnitDigits, toDecimalString } from '../../src/shared/money';

describe('money formatting', () => {
  it('knows each currency\'s minor unit', () => {
    expect(minorUnitDigits('EUR')).toBe(2);
    expect(minorUnitDigits('JPY')).toBe(0);
  });

  it('converts minor units to exact decimals without floating point', () => {
    expect(toDecimalString(11745, 'USD')).toBe('117.45');
    expect(toDecimalString(5, 'EUR')).toBe('0.05');
    expect(toDecimalString(9_007_199_254_740_991, 'USD')).toBe('90071992547409.91');
    expect(toDecimalString(1200, 'JPY')).toBe('1200');
    expect(toDecimalString(-250, 'GBP')).toBe('-2.50');
  });

  it('formats for people in each currency\'s usual style', () => {
    expect(formatMoney(11745, 'USD')).toBe('$117.45');
    expect(formatMoney(11745, 'EUR').replace(/\s/g, ' ')).toBe('117,45 €');
    expect(formatMoney(1200, 'JPY')).toMatch(/^[¥￥]1,200$/);
    expect(formatMoney(9_007_199_254_740_991, 'USD')).toBe('$90,071,992,547,409.91');
  });
});
