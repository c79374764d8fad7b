import { loadConfig, type Config } from '../../src/config';

/** A configuration for tests: no Genesys, no Cosmos, no auth, not demo, plus `env`. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ DemoMode: 'false', InstanceId: 'test-instance', LogLevel: 'silent', ...env });
}
