import path from 'node:path';

/** Where the printed SDL is committed (codegen reads it; a test checks it for drift). */
export const SCHEMA_FILE = path.resolve(__dirname, '../../../schema/schema.graphql');
