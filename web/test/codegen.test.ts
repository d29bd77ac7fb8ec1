import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const bin = resolve(root, 'web/node_modules/.bin/graphql-codegen');

describe('generated GraphQL code', () => {
  it('is up to date with schema/schema.graphql and the .graphql documents (run `pnpm codegen`)', () => {
    expect(existsSync(resolve(root, 'schema/schema.graphql'))).toBe(true);
    const run = spawnSync(bin, ['--config', 'codegen.yml', '--check', '--silent'], { cwd: root, encoding: 'utf8' });
    expect(run.stdout + run.stderr).not.toMatch(/stale|error/i);
    expect(run.status).toBe(0);
  }, 60_000);
});
