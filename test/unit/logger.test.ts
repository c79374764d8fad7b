import { Writable } from 'node:stream';
import { createLogger, redactUrl } from '../../src/logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(chunk.toString('utf8'));
      cb();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('redacts tokens, JWTs, passwords and keys wherever they appear', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ destination: stream });
    logger.info(
      { resumeData: { token: 'tok-secret', jwt: 'eyJ.secret', eventStreamUri: 'wss://x/v1/token/eyJ.secret' } },
      'a',
    );
    logger
      .child({ module: 'm' })
      .info({ settings: { MicrosoftAppPassword: 'pw-secret', CosmosDbKey: 'key-secret' } }, 'b');
    logger.info({ headers: { authorization: 'Bearer eyJ.secret' } }, 'c');
    const out = lines.join('');
    expect(out).not.toMatch(/secret/);
    expect(out).toContain('[redacted]');
  });

  it('strips credentials from URLs', () => {
    expect(redactUrl('wss://streaming.example/v1/token/eyJhbGciOi.x.y')).toBe(
      'wss://streaming.example/v1/token/[redacted]',
    );
    expect(redactUrl('https://x.example/a?token=abc&b=1')).toBe('https://x.example/a?token=[redacted]&b=1');
  });
});
