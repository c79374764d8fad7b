/**
 * Deletes what the bot stores about one conversation from Cosmos DB (for data-subject requests and
 * support). Reads the same settings as the bot:
 *
 *   node dist/src/admin/deleteConversationData.js --channel <id> --conversation <id> [--user <id>]
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { createLogger, type Logger } from '../logger';
import { createStorage } from '../storage/createStorage';
import { deleteConversationData, type ConversationDataRef } from '../storage/deleteConversationData';
import type { StoredDocument } from '../storage/versionedStore';

const USAGE =
  'usage: node dist/src/admin/deleteConversationData.js --channel <channelId> --conversation <conversationId> [--user <userId>]';

/** Exit codes of {@link runDeleteConversationData}. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Parses the command line; returns the conversation to delete or a problem to report. */
export function parseDeleteArgs(argv: readonly string[]): ConversationDataRef | { problem: string } {
  let values: { channel?: string | undefined; conversation?: string | undefined; user?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { channel: { type: 'string' }, conversation: { type: 'string' }, user: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err: unknown) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
  const channelId = values.channel?.trim() ?? '';
  const conversationId = values.conversation?.trim() ?? '';
  const missing = [channelId === '' ? '--channel' : '', conversationId === '' ? '--conversation' : ''].filter(
    (m) => m !== '',
  );
  if (missing.length > 0) return { problem: `missing ${missing.join(' and ')}` };
  const userId = values.user?.trim();
  if (userId === '') return { problem: '--user is empty' };
  return userId === undefined ? { channelId, conversationId } : { channelId, conversationId, userId };
}

/**
 * Runs the command: validates arguments and settings, deletes the conversation's data from Cosmos DB
 * and logs what was deleted. Returns the process exit code.
 */
export async function runDeleteConversationData(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
): Promise<number> {
  const log = logger.child({ module: 'admin.deleteConversationData' });
  const ref = parseDeleteArgs(argv);
  if ('problem' in ref) {
    log.error({ usage: USAGE }, `bad arguments: ${ref.problem}`);
    return EXIT.usage;
  }
  let config;
  try {
    config = loadConfig(env);
  } catch (err: unknown) {
    if (!(err instanceof ConfigError)) throw err;
    log.error({ problems: err.problems }, 'invalid settings');
    return EXIT.failed;
  }
  if (config.cosmos.endpoint === '') {
    log.error(
      'CosmosDbEndpoint is not set: without Cosmos DB the bot keeps state only in its own memory, so there is nothing to delete here',
    );
    return EXIT.failed;
  }
  let bundle;
  try {
    bundle = await createStorage<StoredDocument>(config, logger);
  } catch (err: unknown) {
    log.error({ err }, err instanceof Error ? err.message : 'storage start-up failed');
    return EXIT.failed;
  }
  try {
    const deleted = await deleteConversationData(bundle, ref);
    log.info({ channelId: ref.channelId, conversationId: ref.conversationId, deleted }, 'conversation data deleted');
    return EXIT.ok;
  } catch (err: unknown) {
    log.error(
      { err, channelId: ref.channelId, conversationId: ref.conversationId },
      'deleting conversation data failed',
    );
    return EXIT.failed;
  } finally {
    await bundle.close();
  }
}

if (require.main === module) {
  const logger = createLogger({ level: process.env.LogLevel ?? 'info' });
  runDeleteConversationData(process.argv.slice(2), process.env, logger).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      logger.fatal({ err }, 'deleteConversationData crashed');
      process.exitCode = EXIT.failed;
    },
  );
}
