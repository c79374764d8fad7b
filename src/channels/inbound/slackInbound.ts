import { decode } from 'html-entities';

/**
 * Slack → the text the agent reads (`docs/bot-framework-channels.md §3`). Slack text carries control
 * sequences between angle brackets (its own `<`, `>`, `&` always arrive as entities, so every
 * `<…>` is one): links `<https://x|label>` become "label (https://x)", `mailto:` links the address,
 * user mentions `<@U123>` "@U123" (the bot's own mention is removed), channel links `<#C1|general>`
 * "#general", special mentions `<!here>` "@here"; `&amp;`, `&lt;`, `&gt;` are decoded.
 *
 * @param botIds the bot's ids as the channel reports them (`recipient.id`, e.g. `B0BOT:T0TEAM`);
 *   the part before `:` is compared too.
 */
export function slackText(text: string, botIds: readonly string[]): string {
  const bots = new Set(botIds.flatMap((id) => [id, id.split(':')[0] ?? id]));
  const parts: string[] = [];
  let last = 0;
  for (const match of text.matchAll(/<([^<>]*)>/g)) {
    parts.push(decode(text.slice(last, match.index), { level: 'html5' }));
    parts.push(controlSequence(match[1] ?? '', bots));
    last = match.index + match[0].length;
  }
  parts.push(decode(text.slice(last), { level: 'html5' }));
  return parts
    .join('')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

function controlSequence(body: string, bots: ReadonlySet<string>): string {
  const bar = body.indexOf('|');
  const target = bar < 0 ? body : body.slice(0, bar);
  const label = bar < 0 ? undefined : decode(body.slice(bar + 1), { level: 'html5' });
  if (target.startsWith('@')) {
    const id = target.slice(1);
    if (bots.has(id)) return '';
    return label === undefined ? `@${id}` : `@${label.replace(/^@/, '')}`;
  }
  if (target.startsWith('#')) return `#${(label ?? target.slice(1)).replace(/^#/, '')}`;
  if (target.startsWith('!')) {
    // <!here>, <!channel>, <!everyone>, <!subteam^ID|@team>, <!date^…|fallback>
    if (label !== undefined) return label;
    return `@${target.slice(1).split('^')[0] ?? ''}`;
  }
  return link(decode(target, { level: 'html5' }), label);
}

/** A Slack link as plain text: the label and the address, or just one when they say the same. */
function link(url: string, label: string | undefined): string {
  const address = url.replace(/^mailto:/i, '');
  if (label === undefined || label === '') return address;
  const shown = percentDecoded(label);
  const bare = percentDecoded(address.replace(/^https?:\/\//i, ''));
  // An e-mail address typed by a user has reached bots as <http://a%40a.com|a%40a.com>.
  if (shown === address || shown === bare || shown === percentDecoded(address)) return shown;
  return `${label} (${address})`;
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // Not percent-encoded after all (a lone "%"): keep it as typed.
    return text;
  }
}
