import type * as restify from 'restify';
import { AGENT_TEXT_MAX_CHARS } from './agentApi';
import { queryParams, sendText } from './http';
import { AGENT_SCRIPT } from './static/agentScript';
import { CUSTOMER_SCRIPT } from './static/customerScript';
import { DEMO_CSS } from './static/styles';
import { WEBCHAT_FETCH_COMMAND, WEBCHAT_VERSION, type WebChatAsset } from './webChatAsset';

/** Path of the customer page. */
export const CUSTOMER_PAGE_PATH = '/demo/';
/** Path of the agent console. */
export const AGENT_CONSOLE_PATH = '/demo/agent';
/** Path the Web Chat bundle is served at. */
export const WEBCHAT_BUNDLE_PATH = '/demo/webchat.js';

/**
 * Names the demo's customers chat under, in turn (the first customer after a start is Dana), unless
 * the customer page is opened with `?name=<name>`.
 */
export const DEMO_CUSTOMER_NAMES: readonly string[] = [
  'Dana',
  'Ravi',
  'Mei',
  'Tomás',
  'Aisha',
  'Lars',
  'Nia',
  'Kenji',
  'Sofia',
  'Omar',
];
/** Nickname the agent console suggests. */
export const DEMO_AGENT_NICKNAME = 'Anna';

// Web Chat injects its styles at run time; everything else comes from this server only. DirectLineJS
// reads a file the customer attaches from its `blob:` URL before uploading it (`connect-src blob:`).
// Files the agent sends are served by the simulated Genesys on its own loopback port (`img-src`).
const CUSTOMER_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: http://127.0.0.1:*; font-src 'self' data:; " +
  "media-src 'self' data: blob:; connect-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
const AGENT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The customer page: Web Chat connected to the bot through the local Direct Line service. */
export function customerPageHtml(bundleVersion: string | undefined): string {
  const missing =
    bundleVersion !== undefined
      ? ''
      : `<div class="notice" role="alert" data-testid="webchat-missing">
  The Web Chat bundle (botframework-webchat ${escapeHtml(WEBCHAT_VERSION)}) is not on this machine yet, so the chat cannot be shown.
  In the bot's folder run <code>${escapeHtml(WEBCHAT_FETCH_COMMAND)}</code> (it needs access to the npm registry), then reload this page.
</div>`;
  return `${pageStart('Customer chat · demo', 'customer')}
<header class="top">
  <h1>Customer chat</h1>
  <p>Demo: the bot runs locally and hands over to a simulated Genesys Cloud. Answer as the agent in the <a href="${AGENT_CONSOLE_PATH}" target="_blank" rel="noopener">agent console</a>.</p>
</header>
${missing}
<div id="status" class="notice" role="alert" hidden></div>
<main>
  <section class="chat-frame" aria-label="Chat with the virtual assistant">
    <div id="webchat" data-testid="webchat"></div>
  </section>
</main>
${
  bundleVersion === undefined
    ? ''
    : `<script src="${WEBCHAT_BUNDLE_PATH}?v=${encodeURIComponent(bundleVersion)}"></script>\n<script src="/demo/customer.js"></script>`
}
</body>
</html>
`;
}

/** The document start shared by the demo pages, up to and including `<body>`. */
function pageStart(title: string, bodyClass: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/demo/demo.css">
</head>
<body class="${bodyClass}">`;
}

/** The agent console: chats waiting in the simulated queue, their transcript, and the agent's controls. */
export function agentConsoleHtml(): string {
  return `${pageStart('Agent console · demo', 'agent')}
<header class="top">
  <h1>Agent console</h1>
  <p>Simulated Genesys Cloud. Chats appear here when a customer asks the bot for an agent on the <a href="${CUSTOMER_PAGE_PATH}" target="_blank" rel="noopener">customer page</a>.</p>
  <p>Times are UTC (24-hour), as in the bot's transcript.</p>
  <p id="live-status" aria-live="polite">Connecting…</p>
</header>
<main>
  <section class="panel" aria-labelledby="chats-heading">
    <h2 id="chats-heading">Chats</h2>
    <ul id="chat-list" class="chat-list" data-testid="chat-list"></ul>
    <p id="chat-list-empty" class="empty">No open chats. Ask the bot for an agent on the customer page.</p>
    <details id="archive" class="archive" data-testid="archive" hidden>
      <summary id="archive-summary">Ended chats</summary>
      <ul id="archive-list" class="chat-list" data-testid="archive-list"></ul>
    </details>
  </section>
  <section class="panel" aria-label="Selected chat">
    <p id="detail-placeholder" class="placeholder">Select a chat.</p>
    <div id="detail" data-testid="chat-detail" hidden>
      <div class="detail-header">
        <h2 id="detail-title" data-testid="detail-title"></h2>
        <span id="detail-state" class="badge" data-testid="detail-state"></span>
      </div>
      <div class="detail-body">
        <ol id="messages" class="messages" data-testid="messages" aria-label="Messages" aria-live="polite"></ol>
        <aside class="attributes" aria-labelledby="attributes-heading">
          <h3 id="attributes-heading">Custom attributes</h3>
          <dl id="attributes" data-testid="custom-attributes"></dl>
        </aside>
      </div>
      <div id="customer-typing" class="typing" data-testid="customer-typing" aria-live="polite"></div>
      <form id="accept-form" class="composer" data-testid="accept-form" hidden>
        <label for="nickname-input">Your name</label>
        <input id="nickname-input" type="text" value="${escapeHtml(DEMO_AGENT_NICKNAME)}" maxlength="40" autocomplete="off" data-testid="nickname-input">
        <button type="submit" data-testid="accept-button">Accept chat</button>
      </form>
      <form id="send-form" class="composer" data-testid="send-form" hidden>
        <label class="visually-hidden" for="agent-input">Message to the customer</label>
        <input id="agent-input" type="text" autocomplete="off" placeholder="Type a message" aria-describedby="agent-input-count" data-testid="agent-input">
        <label class="visually-hidden" for="quick-replies-input">Quick replies, separated by commas</label>
        <input id="quick-replies-input" type="text" maxlength="1000" autocomplete="off" placeholder="Quick replies: Yes, No" data-testid="quick-replies-input">
        <button type="submit" data-testid="send-button">Send</button>
        <span id="agent-input-count" class="counter" data-testid="agent-input-count" aria-live="polite"></span>
      </form>
      <form id="file-form" class="composer" data-testid="file-form" hidden>
        <label class="visually-hidden" for="agent-file">File for the customer</label>
        <input id="agent-file" type="file" data-testid="agent-file">
        <button type="submit" data-testid="send-file-button">Send file</button>
      </form>
      <div class="composer">
        <button id="end-button" type="button" class="danger" data-testid="end-button" hidden>End chat</button>
        <span id="ended-note" data-testid="ended-note" hidden>This chat has ended.</span>
      </div>
      <div id="action-error" class="status-line" role="alert" data-testid="action-error"></div>
    </div>
  </section>
</main>
<script src="/demo/agent.js" data-max-text="${AGENT_TEXT_MAX_CHARS}"></script>
</body>
</html>
`;
}

/** Adds the demo pages and their assets to `server`. */
export function installPages(server: restify.Server, webChat: WebChatAsset): void {
  server.get('/', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.redirect(302, CUSTOMER_PAGE_PATH, next);
  });
  server.get('/demo', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    res.redirect(302, CUSTOMER_PAGE_PATH, next);
  });
  server.get(CUSTOMER_PAGE_PATH, (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    sendText(res, 200, 'text/html; charset=utf-8', customerPageHtml(webChat.load()?.version), {
      'content-security-policy': CUSTOMER_CSP,
    });
    next();
  });
  server.get(AGENT_CONSOLE_PATH, (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    sendText(res, 200, 'text/html; charset=utf-8', agentConsoleHtml(), { 'content-security-policy': AGENT_CSP });
    next();
  });
  server.get('/demo/demo.css', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    sendText(res, 200, 'text/css; charset=utf-8', DEMO_CSS);
    next();
  });
  server.get('/demo/customer.js', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    sendText(res, 200, 'text/javascript; charset=utf-8', CUSTOMER_SCRIPT);
    next();
  });
  server.get('/demo/agent.js', (_req: restify.Request, res: restify.Response, next: restify.Next) => {
    sendText(res, 200, 'text/javascript; charset=utf-8', AGENT_SCRIPT);
    next();
  });
  server.get(WEBCHAT_BUNDLE_PATH, async (req: restify.Request, res: restify.Response) => {
    await sendWebChat(req, res, webChat);
  });
}

/**
 * Serves the Web Chat bundle in the best coding the client accepts. Requested with the current
 * content hash (`?v=<version>`, as the customer page does), it may be cached for a year and never
 * revalidated; without it (or with an old hash) it must be revalidated with its ETag.
 */
async function sendWebChat(req: restify.Request, res: restify.Response, webChat: WebChatAsset): Promise<void> {
  const acceptEncoding = req.headers['accept-encoding'];
  const encoded = await webChat.encoded(typeof acceptEncoding === 'string' ? acceptEncoding : undefined);
  const bundle = webChat.load();
  if (encoded === undefined || bundle === undefined) {
    sendText(
      res,
      404,
      'text/javascript; charset=utf-8',
      `/* Web Chat bundle missing: run "${WEBCHAT_FETCH_COMMAND}" in the bot's folder. */\n`,
    );
    return;
  }
  const current = queryParams(req).get('v') === bundle.version;
  const headers: Record<string, string> = {
    etag: encoded.etag,
    vary: 'Accept-Encoding',
    'cache-control': current ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  if (etagMatches(req.headers['if-none-match'], encoded.etag)) {
    res.sendRaw(304, '', headers);
    return;
  }
  if (encoded.encoding !== 'identity') headers['content-encoding'] = encoded.encoding;
  sendText(res, 200, 'text/javascript; charset=utf-8', encoded.body, headers);
}

/** Whether an `If-None-Match` header lists `etag` (weak comparison, RFC 9110 §13.1.2). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
