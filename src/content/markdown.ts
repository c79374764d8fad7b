import { encode } from 'html-entities';
import { Lexer, type Token, type Tokens } from 'marked';

/**
 * Converts Genesys Markdown (agent and bot text when the Messenger deployment enables Markdown,
 * `docs/genesys-protocol.md §5.13`) to what a channel renders:
 *
 * - `html`: the simple HTML Microsoft Teams shows for `textFormat: "xml"` (`<b>`, `<i>`, `<s>`,
 *   `<code>`, `<pre>`, `<a>`, lists, `<br>`); every literal `<`, `>`, `&` is escaped.
 * - `slack`: Slack mrkdwn (`*bold*`, `_italic_`, `~strike~`, `<url|text>`); `&`, `<`, `>` escaped
 *   as Slack requires (`docs/bot-framework-channels.md §3`).
 * - `plain`: plain text for channels without formatting (Facebook Messenger): emphasis dropped,
 *   links as "text (url)", list items as "• item".
 *
 * Raw HTML in the Markdown is shown as literal text: Genesys Markdown does not carry HTML.
 * Parsing is done by `marked` (GitHub-flavoured Markdown).
 */
export type MarkdownTarget = 'html' | 'slack' | 'plain';

/** Converts Markdown `markdown` for `target`. */
export function convertMarkdown(markdown: string, target: MarkdownTarget): string {
  const writer = WRITERS[target];
  return blocks(new Lexer({ gfm: true }).lex(markdown), writer).trim();
}

/** Escapes plain text (no Markdown) so that `target` shows every character literally. */
export function escapeText(text: string, target: MarkdownTarget): string {
  return WRITERS[target].text(text);
}

interface Writer {
  /** Literal text. */
  text: (text: string) => string;
  strong: (inner: string) => string;
  em: (inner: string) => string;
  del: (inner: string) => string;
  code: (code: string, block: boolean) => string;
  link: (href: string, inner: string, label: string) => string;
  heading: (inner: string) => string;
  list: (items: string[], ordered: boolean, start: number) => string;
  blockquote: (inner: string) => string;
  hr: string;
  br: string;
  /** Between blocks (paragraphs, lists). */
  blockGap: string;
}

const SAFE_LINK = /^(https?:|mailto:|tel:)/i;

/** Text with `&`, `<`, `>` as entities (Slack escapes only these three). */
function escapeAngles(text: string): string {
  return encode(text, { mode: 'specialChars', level: 'xml' })
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");
}

/** Label and address as plain text: the label alone when it is the address. */
function plainLink(href: string, label: string): string {
  const bare = href.replace(/^mailto:/i, '');
  return label === '' || label === href || label === bare ? bare : `${label} (${bare})`;
}

const HTML: Writer = {
  text: (text) => encode(text, { mode: 'specialChars', level: 'html5' }).replace(/\r?\n/g, '<br>'),
  strong: (inner) => `<b>${inner}</b>`,
  em: (inner) => `<i>${inner}</i>`,
  del: (inner) => `<s>${inner}</s>`,
  code: (code, block) => {
    const escaped = encode(code, { mode: 'specialChars', level: 'html5' });
    return block ? `<pre>${escaped}</pre>` : `<code>${escaped}</code>`;
  },
  link: (href, inner, label) =>
    SAFE_LINK.test(href)
      ? `<a href="${encode(href, { mode: 'specialChars', level: 'html5' })}">${inner}</a>`
      : HTML.text(plainLink(href, label)),
  heading: (inner) => `<b>${inner}</b>`,
  list: (items, ordered, start) =>
    ordered
      ? `<ol${start === 1 ? '' : ` start="${start}"`}>${items.map((i) => `<li>${i}</li>`).join('')}</ol>`
      : `<ul>${items.map((i) => `<li>${i}</li>`).join('')}</ul>`,
  blockquote: (inner) => `<blockquote>${inner}</blockquote>`,
  hr: '<hr>',
  br: '<br>',
  blockGap: '<br><br>',
};

const SLACK: Writer = {
  text: escapeAngles,
  strong: (inner) => `*${inner}*`,
  em: (inner) => `_${inner}_`,
  del: (inner) => `~${inner}~`,
  code: (code, block) => (block ? `\`\`\`\n${escapeAngles(code)}\n\`\`\`` : `\`${escapeAngles(code)}\``),
  link: (href, inner, label) => {
    if (!SAFE_LINK.test(href)) return escapeAngles(plainLink(href, label));
    const url = escapeAngles(href);
    return label === '' || label === href ? `<${url}>` : `<${url}|${inner}>`;
  },
  heading: (inner) => `*${inner}*`,
  list: (items, ordered, start) => items.map((item, i) => `${ordered ? `${start + i}.` : '•'} ${item}`).join('\n'),
  blockquote: (inner) =>
    inner
      .split('\n')
      .map((line) => `> ${line}`)
      .join('\n'),
  hr: '———',
  br: '\n',
  blockGap: '\n\n',
};

const PLAIN: Writer = {
  text: (text) => text,
  strong: (inner) => inner,
  em: (inner) => inner,
  del: (inner) => inner,
  code: (code) => code,
  link: (href, _inner, label) => plainLink(href, label),
  heading: (inner) => inner,
  list: SLACK.list,
  blockquote: SLACK.blockquote,
  hr: '———',
  br: '\n',
  blockGap: '\n\n',
};

const WRITERS: Record<MarkdownTarget, Writer> = { html: HTML, slack: SLACK, plain: PLAIN };

function blocks(tokens: readonly Token[], w: Writer): string {
  const out: string[] = [];
  for (const token of tokens) {
    const rendered = block(token, w);
    if (rendered !== undefined) out.push(rendered);
  }
  return out.join(w.blockGap);
}

function block(token: Token, w: Writer): string | undefined {
  switch (token.type) {
    case 'space':
    case 'def':
      return undefined;
    case 'paragraph':
    case 'text':
      return inline(token as Tokens.Paragraph | Tokens.Text, w);
    case 'heading':
      return w.heading(inlines((token as Tokens.Heading).tokens, w));
    case 'code':
      return w.code((token as Tokens.Code).text, true);
    case 'hr':
      return w.hr;
    case 'blockquote':
      return w.blockquote(blocks((token as Tokens.Blockquote).tokens, w));
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map((item) => blocks(item.tokens, w).replace(/^(<br>)+|(<br>)+$/g, ''));
      return w.list(items, list.ordered, typeof list.start === 'number' ? list.start : 1);
    }
    case 'table': {
      const table = token as Tokens.Table;
      const row = (cells: Tokens.TableCell[]): string => cells.map((c) => inlines(c.tokens, w)).join(' | ');
      return [row(table.header), ...table.rows.map(row)].join(w.br);
    }
    case 'html':
      return w.text((token as Tokens.HTML).text.trimEnd());
    default:
      return 'raw' in token && typeof token.raw === 'string' ? w.text(token.raw) : undefined;
  }
}

/** A paragraph or text token: its inline tokens, or its text when it has none. */
function inline(token: Tokens.Paragraph | Tokens.Text, w: Writer): string {
  return token.tokens === undefined ? w.text(token.text) : inlines(token.tokens, w);
}

function inlines(tokens: readonly Token[], w: Writer): string {
  return tokens.map((token) => inlineToken(token, w)).join('');
}

function inlineToken(token: Token, w: Writer): string {
  switch (token.type) {
    case 'text':
      return inline(token as Tokens.Text, w);
    case 'escape':
      return w.text((token as Tokens.Escape).text);
    case 'strong':
      return w.strong(inlines((token as Tokens.Strong).tokens, w));
    case 'em':
      return w.em(inlines((token as Tokens.Em).tokens, w));
    case 'del':
      return w.del(inlines((token as Tokens.Del).tokens, w));
    case 'codespan':
      return w.code((token as Tokens.Codespan).text, false);
    case 'br':
      return w.br;
    case 'link': {
      const link = token as Tokens.Link;
      return w.link(link.href, inlines(link.tokens, w), plainText(link.tokens));
    }
    case 'image': {
      const image = token as Tokens.Image;
      return w.link(image.href, w.text(image.text), image.text);
    }
    case 'html':
      return w.text((token as Tokens.HTML).text);
    default:
      return 'raw' in token && typeof token.raw === 'string' ? w.text(token.raw) : '';
  }
}

/** The unformatted text of inline tokens (a link's label). */
function plainText(tokens: readonly Token[]): string {
  return inlines(tokens, PLAIN);
}
