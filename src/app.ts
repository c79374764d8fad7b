import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  ConversationState,
  MemoryStorage,
  UserState,
  type Storage,
  type TurnContext,
} from 'botbuilder';
import type { DialogState } from 'botbuilder-dialogs';
import type { AddressInfo } from 'node:net';
import type * as restify from 'restify';
import { HandoffBot } from '../bots/handoffBot';
import { Faq } from '../dialogs/faq';
import { MainDialog, type MainDialogState } from '../dialogs/mainDialog';
import { TransferDialog, type PreChatQuestion } from '../dialogs/transferDialog';
import type { Config } from './config';
import type { HandoffProvider } from './genesys/handoffProvider';
import type { HandoffDocument } from './handoff/handoffRecord';
import { HandoffRecords } from './handoff/handoffRecords';
import { HandoffSessionManager } from './handoff/handoffSessionManager';
import { ProactiveMessenger, type ProactiveRunner } from './handoff/proactiveMessenger';
import type { Logger } from './logger';
import { MESSAGES } from './resources/messages';
import { createServer, type HealthStatus } from './server';
import { StateSaver } from './state/stateSaver';
import { MemoryVersionedStore } from './storage/memoryVersionedStore';
import type { VersionedStore } from './storage/versionedStore';
import type { Transcript } from './transcript/transcript';
import { TranscriptRecorder } from './transcript/transcriptRecorder';

/** Storage the app runs on. */
export interface AppStorage {
  kind: 'memory' | 'cosmos';
  botStorage: Storage;
  handoffStore: VersionedStore<HandoffDocument>;
  close(): Promise<void>;
}

/** Parts a caller (tests, benchmarks, the demo) may supply instead of building them from config. */
export interface AppOverrides {
  storage?: AppStorage;
  /** `null` forces "no live agents". */
  provider?: HandoffProvider | null;
  preChatQuestions?: readonly PreChatQuestion[];
  extraRoutes?: (server: restify.Server) => void;
  now?: () => number;
  /** Runs proactive turns (tests use the TestAdapter). Defaults to the CloudAdapter. */
  proactiveRunner?: ProactiveRunner;
}

/** A fully wired bot service. */
export interface App {
  readonly config: Config;
  readonly server: restify.Server;
  readonly adapter: CloudAdapter;
  readonly handoff: HandoffSessionManager;
  readonly bot: HandoffBot;
  readonly storage: AppStorage;
  /** Starts listening and background work; resolves with the bound port. */
  start(port?: number, host?: string): Promise<number>;
  /** Graceful stop: releases live chats, closes connections and storage. Idempotent. */
  stop(): Promise<void>;
}

/** The transcript property name in conversation state. */
export const TRANSCRIPT_PROPERTY = 'transcript';

/**
 * Builds the service graph: storage -> state -> handoff -> dialogs -> bot -> adapter -> server.
 * Nothing listens until `start()`.
 */
export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}, provider?: HandoffProvider): Promise<App> {
  const storage: AppStorage = overrides.storage ?? memoryStorage(config, logger);
  const conversationState = new ConversationState(storage.botStorage);
  const userState = new UserState(storage.botStorage);
  const transcriptAccessor = conversationState.createProperty<Transcript>(TRANSCRIPT_PROPERTY);
  const dialogStateAccessor = conversationState.createProperty<DialogState>('dialogState');
  const mainStateAccessor = conversationState.createProperty<MainDialogState>('mainDialog');
  const limits = { maxEntries: config.transcript.maxEntries, maxChars: config.transcript.maxChars };

  const credentialsFactory = new ConfigurationServiceClientCredentialFactory({
    MicrosoftAppId: config.microsoft.appId,
    MicrosoftAppPassword: config.microsoft.appPassword,
    MicrosoftAppType: config.microsoft.appType,
    MicrosoftAppTenantId: config.microsoft.tenantId,
  });
  const auth = new ConfigurationBotFrameworkAuthentication(
    { MicrosoftAppId: config.microsoft.appId, MicrosoftAppTenantId: config.microsoft.tenantId },
    credentialsFactory,
  );
  const adapter = new CloudAdapter(auth);
  const recorder = new TranscriptRecorder(transcriptAccessor, limits, logger.child({ module: 'transcript' }));
  adapter.use(recorder);
  const stateSaver = new StateSaver(conversationState, userState, TRANSCRIPT_PROPERTY, limits, logger.child({ module: 'state' }));

  adapter.onTurnError = async (context: TurnContext, error: Error): Promise<void> => {
    logger.error({ err: error, conversationId: context.activity.conversation.id }, 'unhandled error in a turn');
    try {
      if (context.activity.channelId === 'emulator') {
        await context.sendTraceActivity('OnTurnError Trace', error.message, 'https://www.botframework.com/schemas/error', 'TurnError');
      }
      await context.sendActivity(MESSAGES.turnError);
    } catch (err) {
      logger.warn({ err, conversationId: context.activity.conversation.id }, 'could not tell the user about an error');
    }
  };

  const runner: ProactiveRunner =
    overrides.proactiveRunner ?? ((reference, logic) => adapter.continueConversationAsync(config.microsoft.appId, reference, logic));
  const messenger = new ProactiveMessenger(runner, recorder, stateSaver, logger.child({ module: 'proactive' }));
  const records = new HandoffRecords(storage.handoffStore, config.cosmos.ttlDays * 86_400, logger.child({ module: 'handoff.records' }), overrides.now);
  const chosenProvider = overrides.provider === null ? undefined : (overrides.provider ?? provider);
  const handoff = new HandoffSessionManager(
    chosenProvider,
    records,
    messenger,
    {
      instanceId: config.instanceId,
      queueTimeoutSeconds: config.handoff.queueTimeoutSeconds,
      idleTimeoutSeconds: config.handoff.idleTimeoutSeconds,
      idleWarningSeconds: config.handoff.idleWarningSeconds,
      leaseSeconds: config.handoff.leaseSeconds,
      sweepIntervalSeconds: config.handoff.sweepIntervalSeconds,
      routing: {
        ...(config.genesys.queueName === '' ? {} : { queueName: config.genesys.queueName }),
        ...(config.genesys.skills.length === 0 ? {} : { skills: [...config.genesys.skills] }),
        ...(config.genesys.language === '' ? {} : { language: config.genesys.language }),
        ...(config.genesys.priority === undefined ? {} : { priority: config.genesys.priority }),
      },
    },
    logger,
    overrides.now,
  );

  const transferDialog = new TransferDialog(handoff, transcriptAccessor, overrides.preChatQuestions ?? []);
  const mainDialog = new MainDialog(Faq.default(), transferDialog, mainStateAccessor);
  const bot = new HandoffBot(mainDialog, dialogStateAccessor, handoff, stateSaver, logger.child({ module: 'bot' }));

  let phase: HealthStatus['status'] = 'starting';
  const server = createServer({
    adapter,
    runTurn: (context) => bot.run(context),
    logger,
    health: () => ({
      status: phase,
      storage: storage.kind,
      genesys: chosenProvider?.name ?? 'none',
      demo: config.demo,
      liveChats: handoff.localChatCount,
    }),
    ...(overrides.extraRoutes === undefined ? {} : { extraRoutes: overrides.extraRoutes }),
  });

  let stopping: Promise<void> | undefined;
  return {
    config,
    server,
    adapter,
    handoff,
    bot,
    storage,
    async start(port = config.port, host?: string): Promise<number> {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        if (host === undefined) server.listen(port, resolve);
        else server.listen(port, host, resolve);
      });
      await handoff.startBackground();
      phase = 'ok';
      return (server.address() as AddressInfo).port;
    },
    stop(): Promise<void> {
      stopping ??= (async () => {
        phase = 'stopping';
        await handoff.shutdown();
        await new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
          server.server.closeAllConnections();
        });
        await storage.close();
      })();
      return stopping;
    },
  };
}

/** In-memory storage (local runs): nothing survives a restart or is shared between instances. */
export function memoryStorage(config: Config, logger: Logger): AppStorage {
  logger.warn('no CosmosDbEndpoint set: using in-memory storage; conversations and live chats do not survive a restart and cannot be shared between instances');
  return {
    kind: 'memory',
    botStorage: new MemoryStorage(),
    handoffStore: new MemoryVersionedStore<HandoffDocument>({ defaultTtlSeconds: config.cosmos.ttlDays * 86_400 }),
    close: () => Promise.resolve(),
  };
}
