import type { Logger } from '../../logger';
import type { AgentInfo } from '../handoffProvider';
import type { WebChatMemberInfo, WebChatMemberRole } from './guestChatModels';
import type { GuestChatCredentials, GuestChatRestClient } from './guestChatRestClient';

/** Name shown for an agent whose member record could not be read (as IBM's reference bridge does). */
export const FALLBACK_AGENT_NAME = 'Agent';

/** The part of a member record a session uses. */
export interface MemberFacts {
  role: WebChatMemberRole | undefined;
  name: string | undefined;
  avatarUrl: string | undefined;
}

/**
 * Who is who in one Guest Chat conversation. Event stream frames carry only a member id
 * (docs/genesys-protocol.md §3.7), so roles and names are read from `GET .../members/{id}` once and cached.
 */
export class MemberDirectory {
  private readonly members = new Map<string, MemberFacts>();

  constructor(
    private readonly rest: GuestChatRestClient,
    private readonly credentials: GuestChatCredentials,
    private readonly logger: Logger,
  ) {}

  /** The member's role, name and avatar; an unreadable member counts as an agent (not cached, so retried). */
  async facts(memberId: string): Promise<MemberFacts> {
    const cached = this.members.get(memberId);
    if (cached !== undefined) return cached;
    try {
      const info = await this.rest.getMember(this.credentials, memberId);
      return this.remember(info);
    } catch (err) {
      // Socket events carry no role; a member we cannot look up is most likely the agent who is talking to the guest.
      this.logger.warn({ err, memberId }, 'could not read a chat member; assuming an agent');
      return { role: 'AGENT', name: undefined, avatarUrl: undefined };
    }
  }

  /** Caches a member record read elsewhere (the member list on catch-up). */
  remember(info: WebChatMemberInfo): MemberFacts {
    const facts: MemberFacts = { role: info.role, name: info.displayName, avatarUrl: info.avatarImageUrl };
    this.members.set(info.id, facts);
    return facts;
  }

  /** The agent as the user will see them ({@link FALLBACK_AGENT_NAME} when the name is unknown). */
  agentInfo(memberId: string): AgentInfo {
    const facts = this.members.get(memberId);
    const name = facts?.name !== undefined && facts.name.trim() !== '' ? facts.name : FALLBACK_AGENT_NAME;
    const agent: AgentInfo = { id: memberId, name };
    if (facts?.avatarUrl !== undefined) agent.avatarUrl = facts.avatarUrl;
    return agent;
  }
}
