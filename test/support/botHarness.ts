import { randomUUID } from 'node:crypto';
import { TestAdapter, TurnContext, type Activity, type ConversationReference } from 'botbuilder';
import { buildBot, type AppStorage, type BotServices } from '../../src/app';
import type { Config } from '../../src/config';
import type { HandoffProvider } from '../../src/genesys/handoffProvider';
import type { HandoffDocument } from '../../src/handoff/handoffRecord';
import { createSilentLogger } from '../../src/logger';
import { createStorage } from '../../src/storage/createStorage';
import type { Transcript } from '../../src/transcript/transcript';
import { FakeProvider } from './fakeProvider';
import { testConfig } from './testConfig';

/** Options of {@link createBotHarness}. */
export interface BotHarnessOptions {
  provider?: HandoffProvider;
  config?: Config;
  storage?: AppStorage;
  now?: () => number;
  /** Channel of the test conversation (default `test`); trace activities are kept when set. */
  channelId?: string;
  /** Download agent files for Teams file consent from this machine's addresses too (default false). */
  agentFilesFromPrivateAddresses?: boolean;
}

/**
 * The real bot graph (dialogs, transcript, handoff manager, state) on a `TestAdapter`, with
 * proactive turns run on the same adapter so tests see agent messages like user replies.
 */
export class BotHarness {
  private constructor(
    readonly adapter: TestAdapter,
    readonly services: BotServices,
    readonly storage: AppStorage,
  ) {}

  static async create(options: BotHarnessOptions = {}): Promise<BotHarness> {
    const config = options.config ?? testConfig();
    const logger = createSilentLogger();
    const storage = options.storage ?? (await createStorage<HandoffDocument>(config, logger));
    const adapter =
      options.channelId === undefined
        ? new TestAdapter()
        : new TestAdapter(undefined, { channelId: options.channelId }, true);
    const services = buildBot(config, logger, {
      storage,
      provider: options.provider,
      proactiveRunner: (reference, logic) =>
        adapter.processActivity(
          TurnContext.applyConversationReference({ type: 'event', name: 'proactive' }, reference, true),
          logic,
        ),
      ...(options.now === undefined ? {} : { now: options.now }),
      ...(options.agentFilesFromPrivateAddresses === undefined
        ? {}
        : { agentFilesFromPrivateAddresses: options.agentFilesFromPrivateAddresses }),
    });
    adapter.use(services.recorder);
    adapter.onTurnError = services.onTurnError;
    return new BotHarness(adapter, services, storage);
  }

  /**
   * Sends a user message (or activity) in `conversationId` and returns what the bot sent meanwhile.
   * Each activity gets a fresh id, as channels give them, unless it has one (a redelivery). With
   * `settle` (default) it also waits until the work the turn queued is done.
   */
  async say(
    input: string | Partial<Activity>,
    conversationId = 'conversation-1',
    { settle = true }: { settle?: boolean } = {},
  ): Promise<Partial<Activity>[]> {
    const activity: Partial<Activity> =
      typeof input === 'string'
        ? { type: 'message', id: randomUUID(), text: input }
        : { type: 'message', id: randomUUID(), ...input };
    activity.conversation = { id: conversationId, isGroup: false, conversationType: 'personal', name: '' };
    activity.from = { id: `user-of-${conversationId}`, name: 'Dana Customer' };
    await this.adapter.processActivity(activity, (context) => this.services.bot.run(context));
    // The turn answers at once; what it queued (opening the chat, sending to the agent) finishes here.
    if (settle) await this.services.handoff.whenIdle();
    return this.take();
  }

  /** Everything the bot sent since the last call (including proactive messages). */
  take(): Partial<Activity>[] {
    return this.adapter.activeQueue.splice(0);
  }

  /** Texts of {@link take}. */
  takeTexts(): string[] {
    return this.take()
      .filter((a) => a.type === 'message')
      .map((a) => a.text ?? '');
  }

  /** The transcript of a conversation: conversation state with what the live-chat record still carries. */
  async transcript(conversationId = 'conversation-1'): Promise<Transcript> {
    return this.services.handoff.transcriptOf('test', conversationId, () => this.storedTranscript(conversationId));
  }

  /** The transcript as conversation state holds it (without entries the live-chat record carries). */
  async storedTranscript(conversationId = 'conversation-1'): Promise<Transcript> {
    const reference: Partial<ConversationReference> = {
      channelId: 'test',
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      user: { id: `user-of-${conversationId}`, name: 'Dana Customer' },
      bot: { id: 'bot', name: 'Bot' },
      serviceUrl: 'https://test.com',
    };
    let transcript: Transcript = { entries: [], dropped: 0 };
    await this.adapter.processActivity(
      TurnContext.applyConversationReference({ type: 'event', name: 'read' }, reference, true),
      async (context) => {
        await this.services.conversationState.load(context, true);
        transcript = await this.services.transcript.get(context, { entries: [], dropped: 0 });
      },
    );
    return transcript;
  }
}

/** Two instances of the bot on one store, as {@link twoInstancesOnOneStore} builds them. */
export interface TwoInstances {
  storage: AppStorage;
  /** The instance `owner`, first to sweep: chats opened on it are its own. */
  owner: BotHarness;
  ownerProvider: FakeProvider;
  /** The instance `other`, ready to take chats over. */
  other: BotHarness;
  otherProvider: FakeProvider;
  /** The instances' shared clock (epoch ms, starting at 1,000,000): move `now` to pass time. */
  clock: { now: number };
}

/**
 * Two bot instances, `owner` and `other`, on one in-memory store with a 30 s lease, each with its
 * own {@link FakeProvider} and both on one settable clock; each has swept once.
 */
export async function twoInstancesOnOneStore(): Promise<TwoInstances> {
  const clock = { now: 1_000_000 };
  const storage = await createStorage<HandoffDocument>(testConfig(), createSilentLogger());
  const instance = async (id: string): Promise<{ harness: BotHarness; provider: FakeProvider }> => {
    const provider = new FakeProvider();
    const harness = await BotHarness.create({
      provider,
      storage,
      config: testConfig({ InstanceId: id, HandoffLeaseSeconds: '30' }),
      now: () => clock.now,
    });
    return { harness, provider };
  };
  const owner = await instance('owner');
  const other = await instance('other');
  await owner.harness.services.handoff.sweep(true);
  await other.harness.services.handoff.sweep(true);
  return {
    storage,
    owner: owner.harness,
    ownerProvider: owner.provider,
    other: other.harness,
    otherProvider: other.provider,
    clock,
  };
}
