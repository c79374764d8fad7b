/**
 * The channel edge of relayed content: what users send, normalised for the agent, and what agents
 * send, rendered for the user's channel.
 */
export { normaliseInbound } from './inbound/normaliseInbound';
export { userTimeZone } from './inbound/userTimeZone';
export { renderAgentContent, type RenderOptions } from './outbound/renderAgentContent';
export { sendKeepingSenderNames } from './outbound/senderName';
export { withFacebookHumanAgentTag } from './outbound/facebookHumanAgentTag';
export { channelProfile, type ChannelProfile } from './channelProfiles';
export { answerOptions, matchButtonAnswer, type AnswerOption } from '../content/answerOptions';
