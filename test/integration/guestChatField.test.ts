import type { ChatSession, GuestChatResumeData } from '../../src/genesys/handoffProvider';
import type { GuestChatProvider } from '../../src/genesys/guestChat/guestChatProvider';
import type { GuestChatSimulator } from '../../src/simulator/guestChat/guestChatSimulator';
import { agentBarrier, createProvider, EventRecorder, startRequest, startSimulator } from './guestChatSupport';

function conversationIdOf(session: ChatSession): string {
  const data: GuestChatResumeData | undefined =
    session.resumeData.provider === 'guestchat' ? session.resumeData : undefined;
  if (data === undefined) throw new Error('not a guest chat');
  return data.conversationId;
}

/**
 * Guest Chat as it behaves in the field (docs/genesys-protocol.md §3.7): member-change frames carry
 * no role, and the guest's own DISCONNECTED reports its event stream away, not the end of the chat.
 * The simulator shows the guest DISCONNECTED while its stream is away and CONNECTED again a little
 * after it is re-attached.
 */
describe('Guest Chat: the guest DISCONNECTED is a link blip, not the agent leaving', () => {
  let sim: GuestChatSimulator;
  let provider: GuestChatProvider;
  let rec: EventRecorder;

  async function startWithAgent(): Promise<{ session: ChatSession; conversationId: string }> {
    const session = await provider.startChat(startRequest(), rec.listener);
    const conversationId = conversationIdOf(session);
    sim.agentJoin(conversationId, { displayName: 'Alice Agent' });
    await rec.waitFor((e) => e.kind === 'agentJoined');
    return { session, conversationId };
  }

  afterEach(async () => {
    await provider.close();
    await sim.stop();
  });

  describe('with the default presence model', () => {
    beforeEach(async () => {
      sim = await startSimulator({ guestReconnectLagMs: 400 });
      provider = createProvider(sim);
      rec = new EventRecorder();
    });

    it('a catch-up right after re-attaching that finds the guest DISCONNECTED goes on; nothing is lost', async () => {
      const { session, conversationId } = await startWithAgent();
      sim.dropConnections(conversationId);
      sim.agentSend(conversationId, 'said while you were away');
      await rec.waitFor((e) => e.kind === 'agentMessage' && e.text === 'said while you were away');
      // The catch-up has run; the guest still shows DISCONNECTED for a moment.
      expect(sim.conversation(conversationId).state).toBe('active');
      await agentBarrier(sim, rec, conversationId, 'and after');
      expect(rec.kinds()).not.toContain('ended');
      await session.sendText('still here');
      await sim.waitForGuestMessage(conversationId, (m) => m.body === 'still here');
    });

    it("the bot's own DISCONNECTED on a live stream re-attaches and catches up instead of ending", async () => {
      const { conversationId } = await startWithAgent();
      const connectionsBefore = sim.streamAttachments;
      sim.reportGuestAway(conversationId);
      await sim.waitUntil(() => (sim.streamAttachments > connectionsBefore ? true : undefined));
      sim.agentSend(conversationId, 'are you there?');
      await agentBarrier(sim, rec, conversationId, 'hello again');
      expect(rec.ofKind('agentMessage').map((e) => e.text)).toEqual(['are you there?', 'hello again']);
      expect(rec.kinds()).not.toContain('ended');
    });

    it('an agent leaving while the guest stream was away is a transfer, not the end of the chat', async () => {
      const { conversationId } = await startWithAgent();
      sim.dropConnections(conversationId);
      sim.transfer(conversationId, 'Bob Agent');
      await rec.waitFor((e) => e.kind === 'agentJoined' && e.agent.name === 'Bob Agent');
      expect(rec.ofKind('agentLeft')).toEqual([expect.objectContaining({ transfer: true })]);
      await agentBarrier(sim, rec, conversationId, 'Bob here');
      expect(rec.kinds()).not.toContain('ended');
    });

    it('an end while the stream was away still ends the chat, without leaving it a second time', async () => {
      const { conversationId } = await startWithAgent();
      sim.dropConnections(conversationId);
      sim.endConversation(conversationId);
      expect(await rec.waitFor((e) => e.kind === 'ended')).toEqual({ kind: 'ended', reason: 'agentEnded' });
      await sim.whenIdle();
      expect(sim.conversation(conversationId).endedBy).toBe('agent');
      expect(sim.requests.filter((r) => r.conversationId === conversationId && r.method === 'DELETE')).toEqual([]);
    });
  });

  describe('when the bot ends a chat itself', () => {
    beforeEach(async () => {
      sim = await startSimulator();
      // One reconnect attempt, refused: the link is lost for good.
      provider = createProvider(sim, { reconnectPolicy: () => null });
      rec = new EventRecorder();
    });

    it('it also leaves the chat on Genesys (DELETE member), so the agent is not left writing to nobody', async () => {
      const { conversationId } = await startWithAgent();
      sim.dropConnections(conversationId);
      expect(await rec.waitFor((e) => e.kind === 'ended')).toMatchObject({ kind: 'ended', reason: 'failed' });
      await sim.waitUntil(() => (sim.conversation(conversationId).state === 'ended' ? true : undefined));
      expect(sim.conversation(conversationId).endedBy).toBe('guest');
    });
  });
});
