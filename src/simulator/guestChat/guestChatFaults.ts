import { sendText } from '../kit/simulatorHost';
import type { GuestChatModel } from './guestChatModel';
import { errorBody, fail } from './guestChatSimErrors';
import type { GuestChatSimFault, GuestChatSimulatorOptions } from './guestChatTypes';

/**
 * Fault injection of the Guest Chat simulator: 429/5xx answers, "retired" mode, the duplicated
 * `member-change` quirk (docs/genesys-protocol.md §3.7 [O]), re-deliveries, dropped sockets and raw frames.
 */
export class GuestChatFaults {
  /** Every `/api/v2/webchat/...` path answers `404 not.found` ([I] docs/genesys-protocol.md §3.10). */
  retired: boolean;
  /** Every agent `member-change CONNECTED` is sent twice. */
  duplicateMemberChange: boolean;
  private readonly pending: (GuestChatSimFault & { remaining: number })[] = [];

  constructor(
    private readonly model: GuestChatModel,
    options: GuestChatSimulatorOptions,
  ) {
    this.retired = options.retired ?? false;
    this.duplicateMemberChange = options.duplicateMemberChange ?? false;
  }

  /** Makes the next matching request(s) fail with a 429 or a 5xx. */
  inject(fault: GuestChatSimFault): void {
    this.pending.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Removes faults that have not fired yet. */
  clear(): void {
    this.pending.length = 0;
  }

  /** Fails the request with the first matching injected fault, if any (throws an {@link HttpProblem}). */
  apply(method: string, path: string): void {
    const index = this.pending.findIndex(
      (f) =>
        (f.method === undefined || f.method.toUpperCase() === method) && path.includes(f.pathIncludes ?? '/api/v2/'),
    );
    if (index < 0) return;
    const fault = this.pending[index];
    if (fault === undefined) return;
    fault.remaining--;
    if (fault.remaining <= 0) this.pending.splice(index, 1);
    if (fault.status === 429) {
      const seconds = fault.retryAfterSeconds;
      if (seconds === undefined)
        fail(errorBody(429, fault.code ?? 'too.many.requests', 'Rate limit exceeded the maximum allowed.'));
      fail(
        errorBody(
          429,
          fault.code ?? 'too.many.requests.retry.after',
          'Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds',
          {
            messageParams: { retryAfter: String(seconds) },
          },
        ),
        fault.retryAfterHeader === false ? undefined : { 'Retry-After': String(seconds) },
      );
    }
    const defaults: Record<GuestChatSimFault['status'], string> = {
      429: 'too.many.requests',
      500: 'internal.server.error',
      502: 'internal.server.error',
      503: 'service.unavailable',
      504: 'request.timeout',
    };
    fail(errorBody(fault.status, fault.code ?? defaults[fault.status], 'The service is currently unavailable.'));
  }

  /** Terminates the event stream sockets (of one conversation, or all): the client sees 1006. */
  dropConnections(conversationId?: string): void {
    const targets =
      conversationId === undefined ? [...this.model.conversations.values()] : [this.model.get(conversationId)];
    for (const c of targets) {
      for (const socket of c.sockets) socket.terminate();
      c.sockets.clear();
    }
    this.model.changed();
  }

  /** Sends a stored message's frame again (a re-delivery; only its `CorrelationId` differs). */
  redeliver(conversationId: string, messageId: string): void {
    const c = this.model.get(conversationId);
    const message = c.messages.find((m) => m.id === messageId);
    if (message === undefined) throw new Error(`unknown message ${messageId}`);
    const { id, sender, body, bodyType, timestamp } = message;
    this.model.broadcast(
      c,
      this.model.frame(c, 'messages', 'message', { id, conversation: { id: c.id }, sender, body, bodyType, timestamp }),
    );
  }

  /** Sends the current agent's `member-change CONNECTED` again, as Genesys does when an agent switches chats. */
  repeatAgentConnected(conversationId: string): void {
    const c = this.model.requireRouted(conversationId);
    this.model.sendMemberChange(c, this.model.requireAgent(c, undefined), 'CONNECTED');
  }

  /** Sends any text on a conversation's sockets (malformed-frame tests). */
  sendRawFrame(conversationId: string, data: string): void {
    for (const socket of this.model.get(conversationId).sockets) sendText(socket, data);
  }
}
