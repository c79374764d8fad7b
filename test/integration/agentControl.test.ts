import type { ChatEvent, HandoffProvider } from '../../src/genesys/handoffProvider';
import { GuestChatSimulator, type GuestChatSimConversation } from '../../src/simulator/guestChat/guestChatSimulator';
import type { AgentControl } from '../../src/simulator/kit/agentControl';
import {
  WebMessagingSimulator,
  type SimulatedConversationInfo,
} from '../../src/simulator/webMessaging/webMessagingSimulator';
import { createProvider, startRequest } from './guestChatSupport';
import { providerFor } from './webMessagingSupport';

/**
 * The agent-control contract every simulator meets, driven through {@link AgentControl} only,
 * with a real provider as the guest.
 */
interface Rig<C> {
  sim: AgentControl<C, unknown, unknown, never>;
  provider: HandoffProvider;
  stop: () => Promise<void>;
}

interface Case<C> {
  name: string;
  setUp: () => Promise<Rig<C>>;
  idOf: (c: C) => string;
  /** Whether the conversation has ended. */
  ended: (c: C) => boolean;
  /** Texts the agent side wrote, oldest first. */
  agentTexts: (c: C) => string[];
  /** Display name of the connected agent, if any. */
  agentName: (c: C) => string | undefined;
}

/** A rig that closes the provider, then the simulator. */
function rigOf<C>(
  sim: AgentControl<C, unknown, unknown, never> & { stop: () => Promise<void> },
  provider: HandoffProvider,
): Rig<C> {
  return {
    sim,
    provider,
    stop: async () => {
      await provider.close();
      await sim.stop();
    },
  };
}

const WM_DEPLOYMENT = 'd7a1c0de-0000-4000-8000-00000000c0de';

const webMessaging: Case<SimulatedConversationInfo> = {
  name: 'WebMessagingSimulator',
  setUp: async () => {
    const sim = new WebMessagingSimulator({ deployments: [{ id: WM_DEPLOYMENT, conversationDisconnect: 'Send' }] });
    await sim.start();
    return rigOf(sim, providerFor(sim, WM_DEPLOYMENT));
  },
  idOf: (c) => c.id,
  ended: (c) => c.state === 'ended',
  agentTexts: (c) => c.messages.filter((m) => m.direction === 'Outbound' && m.type === 'Text').map((m) => m.text),
  agentName: (c) => (c.state === 'active' ? c.agent?.nickname : undefined),
};

const guestChat: Case<GuestChatSimConversation> = {
  name: 'GuestChatSimulator',
  setUp: async () => {
    const sim = new GuestChatSimulator({ heartbeatIntervalMs: 0 });
    await sim.start();
    return rigOf(sim, createProvider(sim));
  },
  idOf: (c) => c.id,
  ended: (c) => c.state === 'ended',
  agentTexts: (c) =>
    c.messages
      .filter((m) => m.bodyType === 'standard' && c.members.some((p) => p.id === m.sender.id && p.role === 'AGENT'))
      .map((m) => m.body),
  agentName: (c) => c.members.find((m) => m.id === c.currentAgentId)?.displayName,
};

function contract<C>(c: Case<C>): void {
  describe(`${c.name} agent control`, () => {
    let rig: Rig<C>;
    const events: ChatEvent[] = [];
    let waiters: (() => void)[] = [];

    beforeEach(async () => {
      events.length = 0;
      waiters = [];
      rig = await c.setUp();
    });

    afterEach(async () => {
      await rig.stop();
    });

    async function guest(): Promise<{ id: string; snapshot: () => C }> {
      await rig.provider.startChat(startRequest(), (event) => {
        events.push(event);
        for (const wake of waiters.splice(0)) wake();
      });
      const first = await rig.sim.waitForConversation();
      const all = rig.sim.conversations();
      expect(all).toHaveLength(1);
      const id = c.idOf(first);
      return { id, snapshot: () => rig.sim.conversation(id) };
    }

    async function eventOf(kind: ChatEvent['kind']): Promise<ChatEvent> {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const found = events.find((e) => e.kind === kind);
        if (found !== undefined) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no ${kind} event; got ${events.map((e) => e.kind).join(', ')}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    }

    it('lists, finds and refuses unknown conversations', async () => {
      const { id, snapshot } = await guest();
      expect(c.idOf(snapshot())).toBe(id);
      expect(rig.sim.findConversation(id)).toEqual(snapshot());
      expect(rig.sim.findConversation('no-such-conversation')).toBeUndefined();
      expect(() => rig.sim.conversation('no-such-conversation')).toThrow('no-such-conversation');
      expect(() => rig.sim.agentSend('no-such-conversation', 'hello')).toThrow('no-such-conversation');
    });

    it('joins, writes, types and ends in one vocabulary, and the guest sees each', async () => {
      const { id, snapshot } = await guest();
      rig.sim.agentJoin(id, { displayName: 'Grace' });
      expect(c.agentName(snapshot())).toBe('Grace');
      rig.sim.agentSend(id, 'Hello from Grace');
      expect(c.agentTexts(snapshot())).toEqual(['Hello from Grace']);
      const message = await eventOf('agentMessage');
      expect(message).toMatchObject({ kind: 'agentMessage', text: 'Hello from Grace' });
      expect(rig.sim.agentTyping(id)).toBe(true);
      await eventOf('agentTyping');

      rig.sim.endConversation(id);
      expect(c.ended(snapshot())).toBe(true);
      await eventOf('ended');
      await rig.sim.whenIdle();
      expect(() => rig.sim.agentSend(id, 'too late')).toThrow(id);
    });
  });
}

contract(webMessaging);
contract(guestChat);
