import { Writable } from 'node:stream';
import pino from 'pino';
import type { Logger } from '../../../src/logger';

/** One parsed log line. */
export interface LogLine {
  level: string;
  msg: string;
  [key: string]: unknown;
}

/** A logger that records every line (all levels) as parsed JSON. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as LogLine);
      callback();
    },
  });
  const logger = pino({ level: 'trace', formatters: { level: (label) => ({ level: label }) } }, stream);
  return { logger, lines };
}
