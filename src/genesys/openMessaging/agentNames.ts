import type { Logger } from '../../logger';
import type { OpenMessagingApi } from './openMessagingApi';

/** Agents' display names by user id, each looked up once per conversation (docs/genesys-protocol.md §6.4). */
export class AgentNames {
  private readonly names = new Map<string, string | undefined>();

  constructor(
    private readonly api: OpenMessagingApi,
    private readonly logger: Logger,
  ) {}

  /** The agent's display name; undefined when the user has none or it could not be read (logged, not remembered). */
  async nameOf(userId: string): Promise<string | undefined> {
    if (this.names.has(userId)) return this.names.get(userId);
    let name: string | undefined;
    try {
      name = await this.api.getUserName(userId);
    } catch (err) {
      this.logger.info({ err }, 'could not read the agent name');
      return undefined;
    }
    this.names.set(userId, name);
    return name;
  }
}
