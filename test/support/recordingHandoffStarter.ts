import type { HandoffRequest, HandoffStarter, StartHandoffResult } from '../../src/handoff/handoffService';

/** The handoff as the dialogs see it, without storage or Genesys: records each request and answers `result`. */
export class RecordingHandoffStarter implements HandoffStarter {
  readonly requests: HandoffRequest[] = [];
  /** What {@link start} answers while agents are available. */
  result: StartHandoffResult = { status: 'started' };

  constructor(public isAvailable = true) {}

  start(request: HandoffRequest): Promise<StartHandoffResult> {
    if (!this.isAvailable) return Promise.resolve({ status: 'unavailable' });
    this.requests.push(request);
    return Promise.resolve(this.result);
  }
}
