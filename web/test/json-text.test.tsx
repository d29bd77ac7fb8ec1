import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { toJsonText, useJsonText, type JsonText } from '~/lib/json-text';

/** What a component gets back from useJsonText, rendered the way the dashboard's server renders a page. */
function read<T>(text: JsonText<T>): T {
  let seen: T | undefined;
  function Reader() {
    seen = useJsonText(text);
    return null;
  }
  renderToString(createElement(Reader));
  return seen as T;
}

describe('loader data as one JSON text', () => {
  const seed = {
    variables: { first: 20, filter: { status: ['SHIPPED'] }, after: null },
    data: { orders: { totalCount: 2, nodes: [{ id: 'o1', number: 'A-1', total: { amount: 11745, currency: 'EUR' }, attention: null, name: 'O’Neil </script><script>' }] } },
  };

  it('is the JSON of the value', () => {
    expect(JSON.parse(toJsonText(seed))).toEqual(seed);
  });

  it('hands the render of the same request the loader’s own value, once', () => {
    const text = toJsonText(seed);
    expect(read(text)).toBe(seed);
    // Taken: the next reader (a browser, a later render) parses the text.
    const again = read(text);
    expect(again).not.toBe(seed);
    expect(again).toEqual(seed);
  });

  it('parses a text it did not make (the browser’s case)', () => {
    const text = JSON.stringify({ viewer: { role: 'OWNER' } }) as JsonText<{ viewer: { role: string } }>;
    expect(read(text)).toEqual({ viewer: { role: 'OWNER' } });
  });

  it('keeps a bounded number of values no render took', () => {
    const texts = Array.from({ length: 100 }, (_, i) => toJsonText({ page: i }));
    // The oldest were dropped and are parsed instead; the value stays the same either way.
    expect(read(texts[0])).toEqual({ page: 0 });
    expect(read(texts[99])).toEqual({ page: 99 });
  });
});
