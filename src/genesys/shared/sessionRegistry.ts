import { GenesysError } from '../genesysError';
import type { GenesysProviderName, ResumeData } from '../handoffProvider';

/** The chat sessions a provider holds in this process, so `close()` can detach them all. */
export class SessionRegistry<S extends { detach(): Promise<void> }> {
  private readonly sessions = new Set<S>();

  /** Holds `session` until {@link SessionRegistry.release}. */
  hold(session: S): S {
    this.sessions.add(session);
    return session;
  }

  /** Forgets `session` (it ended or was detached). */
  release(session: S): void {
    this.sessions.delete(session);
  }

  /** How many sessions are held. */
  get size(): number {
    return this.sessions.size;
  }

  /** Detaches every held session (shutdown). */
  async detachAll(): Promise<void> {
    const sessions = [...this.sessions];
    await Promise.all(sessions.map((session) => session.detach()));
  }
}

/**
 * Narrows persisted {@link ResumeData} to the given provider's shape.
 * @throws GenesysError `badRequest` when the data belongs to another provider.
 */
export function resumeDataFor<P extends GenesysProviderName>(
  data: ResumeData,
  provider: P,
): Extract<ResumeData, { provider: P }> {
  if (data.provider !== provider)
    throw new GenesysError(
      'badRequest',
      `resume data of provider "${data.provider}" given to the ${provider} provider`,
    );
  return data as Extract<ResumeData, { provider: P }>;
}
