import { type AgentContent, agentMessageContent } from '../content/content';
import type { ChatEvent } from '../genesys/handoffProvider';

/**
 * A provider's agent message in the content model: its text (Genesys Markdown when the provider says
 * so) and files, then the structured content
 * it offers (quick replies, cards, carousels, time slot pickers) in Genesys' order; a message from an
 * Architect bot flow is marked as the bot's (`sender.entity: "Bot"`).
 */
export function agentContentOf(event: Extract<ChatEvent, { kind: 'agentMessage' }>): AgentContent {
  const content = agentMessageContent(event, event.textFormat ?? 'plain');
  // The provider-neutral structured items have the content model's shape (src/content/content.ts).
  content.items.push(...(event.content?.items ?? []));
  if (event.fromBot === true) content.sender = { ...content.sender, entity: 'Bot' };
  return content;
}
