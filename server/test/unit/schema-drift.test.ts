import fs from 'node:fs';
import { SCHEMA_FILE } from '../../src/graphql/schema-file';
import { printSchemaSdl } from '../../src/graphql/schema';

describe('schema/schema.graphql', () => {
  it('is exactly what the code prints (run `pnpm codegen` after changing the API)', async () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(await printSchemaSdl());
  });
});
