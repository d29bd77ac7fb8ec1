import { MAX_NAMED_STATEMENTS, preparedStatement } from '../../src/shared/unscoped-sql';

/** The names of prepared statements (shared/unscoped-sql.ts): one per text, and few, since every connection keeps them. */
describe('preparedStatement', () => {
  test('numbers the placeholders; a backslashed question mark stays one', () => {
    const statement = preparedStatement(`select ? as a, '\\?' as b from t where x = ? and y = ?`);
    expect(statement.text).toBe(`select $1 as a, '?' as b from t where x = $2 and y = $3`);
    expect(statement.placeholders).toBe(3);
  });

  test('names each text once, the same name every time, and stops naming past the limit', () => {
    const first = preparedStatement('select 1 where ? = ?');
    expect(first.name).toMatch(/^luneo_\d+$/);
    expect(preparedStatement('select 1 where ? = ?').name).toBe(first.name);
    expect(preparedStatement('select 2 where ? = ?').name).not.toBe(first.name);
    const names = new Set<string | undefined>();
    for (let i = 0; i < MAX_NAMED_STATEMENTS + 10; i++) names.add(preparedStatement(`select ${i} + ?`).name);
    expect(names.has(undefined)).toBe(true);
    expect(names.size).toBeLessThanOrEqual(MAX_NAMED_STATEMENTS + 1);
    // Texts named before the limit keep their names.
    expect(preparedStatement('select 1 where ? = ?').name).toBe(first.name);
  });
});
