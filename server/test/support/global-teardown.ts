import fs from 'node:fs';

export default async function globalTeardown() {
  const state = (globalThis as any).__LUNEO_TEST_DB__;
  if (!state) return;
  await state.db.stop();
  fs.rmSync(state.dataDir, { recursive: true, force: true });
}
