import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS } from '../../src/telemetry/telemetry';

describe('README "Operations"', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Operations'),
    readme.indexOf('\n## ', readme.indexOf('## Operations') + 1),
  );

  it('lists every metric with its unit and meaning, and no other', () => {
    const rows = [...section.matchAll(/^\| `([^`]+)` \| `([^`]+)` \| (.+) \|$/gm)].map((m) => ({
      name: m[1],
      unit: m[2],
      description: m[3],
    }));
    expect(rows).toEqual(Object.values(METRICS).map(({ name, unit, description }) => ({ name, unit, description })));
  });

  it('names both health endpoints and the settings that turn export and personal data on', () => {
    for (const text of [
      '/healthz',
      '/healthz/ready',
      'APPLICATIONINSIGHTS_CONNECTION_STRING',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'TelemetryLogPersonalData',
    ]) {
      expect(section).toContain(text);
    }
  });
});
