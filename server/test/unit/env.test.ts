import { EnvError, loadEnv } from '../../src/env';

describe('environment', () => {
  it('has sensible defaults', () => {
    expect(loadEnv({})).toMatchObject({ PORT: 4000, WEB_PORT: 3000, DATA_DIR: '.data', SEED_DEMO: true });
  });

  it('names every wrong variable', () => {
    expect(() => loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })).toThrow(EnvError);
    try {
      loadEnv({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('LOG_LEVEL');
    }
  });
});
