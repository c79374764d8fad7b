/**
 * Browser script of the agent console (`/demo/agent.js`): follows the simulated Genesys through
 * Server-Sent Events and drives it through the agent API. All customer text is rendered with
 * `textContent`, never as HTML. Each chat keeps its own draft; open chats are listed apart from
 * ended ones (the archive); the message pane follows new messages; times are 24-hour UTC, like the
 * bot's transcript.
 */
export const AGENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var API = '/demo/api';
  var TYPING_SHOWN_MS = 5000;
  var TYPING_SEND_EVERY_MS = 5000;
  var script = document.currentScript;
  var MAX_TEXT = Number(script && script.getAttribute('data-max-text')) || 4000;
  var TRANSCRIPT_LINE = /^\[\d\d:\d\d\] ([^:]+): (.*)$/;

  var state = { conversations: [], selectedId: null, typing: {}, lastTypingSent: 0, drafts: {}, shown: { id: null, count: 0 } };
  var el = {
    list: document.getElementById('chat-list'),
    listEmpty: document.getElementById('chat-list-empty'),
    archive: document.getElementById('archive'),
    archiveSummary: document.getElementById('archive-summary'),
    archiveList: document.getElementById('archive-list'),
    placeholder: document.getElementById('detail-placeholder'),
    detail: document.getElementById('detail'),
    title: document.getElementById('detail-title'),
    badge: document.getElementById('detail-state'),
    messages: document.getElementById('messages'),
    attributes: document.getElementById('attributes'),
    typing: document.getElementById('customer-typing'),
    acceptForm: document.getElementById('accept-form'),
    nickname: document.getElementById('nickname-input'),
    sendForm: document.getElementById('send-form'),
    quickReplies: document.getElementById('quick-replies-input'),
    input: document.getElementById('agent-input'),
    count: document.getElementById('agent-input-count'),
    end: document.getElementById('end-button'),
    fileForm: document.getElementById('file-form'),
    file: document.getElementById('agent-file'),
    endedNote: document.getElementById('ended-note'),
    error: document.getElementById('action-error'),
    live: document.getElementById('live-status')
  };

  function find(id) {
    for (var i = 0; i < state.conversations.length; i++) {
      if (state.conversations[i].id === id) return state.conversations[i];
    }
    return null;
  }

  function selected() {
    return find(state.selectedId);
  }

  function customerName(c) {
    return (c.customAttributes && c.customAttributes.botUserName) || 'Customer';
  }

  function declined(c) {
    return c.state === 'ended' && c.endReason === 'agentDisconnected' && !c.agent;
  }

  function stateLabel(c) {
    if (c.state === 'waiting') return 'Waiting';
    if (c.state === 'active' && c.customerLeft) return 'Customer left';
    if (c.state === 'active') return 'With ' + (c.agent ? c.agent.nickname : 'an agent');
    return declined(c) ? 'Declined' : 'Ended';
  }

  /** The customer's last line: their newest message, else their newest line in the bot's transcript. */
  function preview(c) {
    var first = true;
    var last = '';
    var intro = '';
    c.messages.forEach(function (m) {
      if (m.direction !== 'Inbound' || m.type === 'Event' || !m.text) return;
      if (first) intro = m.text;
      else last = m.text;
      first = false;
    });
    if (last) return last.split('\n').pop();
    var lines = intro.split('\n');
    for (var i = lines.length - 1; i >= 0; i--) {
      var match = TRANSCRIPT_LINE.exec(lines[i]);
      if (match && match[1] === customerName(c)) return match[2];
    }
    return '';
  }

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toISOString().slice(11, 16);
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Keeps the draft of the chat being left and shows the draft of the chat chosen. */
  function select(id) {
    if (state.selectedId !== null) state.drafts[state.selectedId] = el.input.value;
    state.selectedId = id;
    el.input.value = state.drafts[id] || '';
    state.lastTypingSent = 0;
    el.error.textContent = '';
  }

  function chatItem(c) {
    var li = document.createElement('li');
    var button = make('button', 'chat-item');
    button.type = 'button';
    button.setAttribute('data-testid', 'chat-item');
    button.setAttribute('data-conversation-id', c.id);
    button.setAttribute('data-state', c.state);
    button.setAttribute('aria-current', c.id === state.selectedId ? 'true' : 'false');
    button.appendChild(make('span', 'name', customerName(c)));
    button.appendChild(make('span', 'badge ' + c.state, stateLabel(c)));
    var line = make('span', 'preview', time(c.startedAt) + ' · ' + preview(c));
    line.setAttribute('data-testid', 'chat-preview');
    button.appendChild(line);
    button.addEventListener('click', function () {
      select(c.id);
      render();
      if (c.state === 'waiting') el.nickname.focus();
      else if (c.state === 'active') el.input.focus();
    });
    li.appendChild(button);
    return li;
  }

  function renderList() {
    var open = state.conversations.filter(function (c) { return c.state !== 'ended'; });
    var ended = state.conversations.filter(function (c) { return c.state === 'ended'; });
    el.list.textContent = '';
    el.archiveList.textContent = '';
    el.listEmpty.hidden = open.length > 0;
    open.forEach(function (c) { el.list.appendChild(chatItem(c)); });
    ended.forEach(function (c) { el.archiveList.appendChild(chatItem(c)); });
    el.archive.hidden = ended.length === 0;
    el.archiveSummary.textContent = 'Ended chats (' + ended.length + ')';
  }

  function eventText(c, m) {
    if ((m.events || []).indexOf('Presence:Disconnect') >= 0) return c.agent ? 'You ended the chat.' : 'You declined the chat.';
    return (m.events || []).join(', ');
  }

  /** The customer's answers to structured content, e.g. "Chose: Billing". */
  function answersText(m) {
    return (m.buttonResponses || []).map(function (r) { return 'Chose: ' + r.text; }).join('\n');
  }

  /** What a structured message offered, e.g. "[Billing] [Orders]". */
  function offeredText(m) {
    return m.content.map(function (entry) {
      return entry.quickReply ? '[' + entry.quickReply.text + ']' : '(' + entry.contentType + ')';
    }).join(' ');
  }

  function renderMessages(c) {
    var firstInbound = true;
    el.messages.textContent = '';
    c.messages.forEach(function (m) {
      var li;
      if (m.type === 'Event') {
        li = make('li', 'message event', time(m.time) + ' · ' + eventText(c, m));
        li.setAttribute('data-testid', 'message');
        li.setAttribute('data-direction', m.direction);
        el.messages.appendChild(li);
        return;
      }
      var inbound = m.direction === 'Inbound';
      var intro = inbound && firstInbound;
      if (inbound) firstInbound = false;
      li = make('li', 'message ' + (inbound ? 'inbound' : 'outbound') + (intro ? ' intro' : ''));
      li.setAttribute('data-testid', intro ? 'transcript' : 'message');
      li.setAttribute('data-direction', m.direction);
      var who = inbound ? (intro ? 'Sent by the bot at handover' : customerName(c)) : (m.from && m.from.nickname) || 'Agent';
      li.appendChild(make('span', 'who', who + ' · ' + time(m.time)));
      var shown = m.text || answersText(m);
      if (shown) li.appendChild(make('p', 'text', shown));
      if (m.content) li.appendChild(make('p', 'choices', offeredText(m)));
      (m.attachments || []).forEach(function (a) {
        var link = make('a', 'file', a.filename + ' (' + a.mime + ')');
        link.href = a.url;
        link.target = '_blank';
        link.rel = 'noopener noreferrer';
        link.setAttribute('data-testid', 'message-file');
        li.appendChild(link);
      });
      el.messages.appendChild(li);
    });
    if (c.state === 'ended' && c.endReason !== 'agentDisconnected') {
      var note = make('li', 'message event', c.endReason === 'cleared' ? 'The customer ended the chat.' : 'The chat expired.');
      el.messages.appendChild(note);
    }
    // Follow the chat: a newly chosen chat, or new messages, show the newest message.
    if (state.shown.id !== c.id || state.shown.count !== el.messages.children.length) {
      el.messages.scrollTop = el.messages.scrollHeight;
    }
    state.shown = { id: c.id, count: el.messages.children.length };
  }

  function renderAttributes(c) {
    el.attributes.textContent = '';
    var keys = Object.keys(c.customAttributes || {}).sort();
    if (keys.length === 0) {
      el.attributes.appendChild(make('dd', '', 'none'));
      return;
    }
    keys.forEach(function (key) {
      el.attributes.appendChild(make('dt', '', key));
      el.attributes.appendChild(make('dd', '', c.customAttributes[key]));
    });
  }

  function lastInboundTime(c) {
    for (var i = c.messages.length - 1; i >= 0; i--) {
      if (c.messages[i].direction === 'Inbound' && c.messages[i].type !== 'Event') return Date.parse(c.messages[i].time) || 0;
    }
    return 0;
  }

  function renderTyping() {
    var c = selected();
    var typing = false;
    if (c && c.state !== 'ended' && state.typing[c.id]) {
      var t = state.typing[c.id];
      // A message from the customer ends their typing.
      typing = t.until > Date.now() && lastInboundTime(c) < t.since;
    }
    el.typing.textContent = typing ? customerName(c) + ' is typing…' : '';
  }

  /** The counter under the message box; over the limit it says so and sending is refused. */
  function renderCount() {
    var length = el.input.value.length;
    var over = length > MAX_TEXT;
    el.count.textContent = over
      ? 'Too long: ' + length + ' of at most ' + MAX_TEXT + ' characters'
      : length > 0 ? length + ' / ' + MAX_TEXT : '';
    el.count.className = 'counter' + (over ? ' over' : '');
    el.input.setAttribute('aria-invalid', over ? 'true' : 'false');
  }

  function render() {
    renderList();
    var c = selected();
    el.placeholder.hidden = !!c;
    el.detail.hidden = !c;
    if (!c) return;
    el.detail.setAttribute('data-conversation-id', c.id);
    el.detail.setAttribute('data-state', c.state);
    el.title.textContent = customerName(c);
    el.badge.textContent = stateLabel(c);
    el.badge.className = 'badge ' + c.state;
    renderMessages(c);
    renderAttributes(c);
    renderTyping();
    renderCount();
    el.acceptForm.hidden = c.state !== 'waiting';
    el.sendForm.hidden = c.state !== 'active';
    el.fileForm.hidden = c.state !== 'active';
    el.end.hidden = c.state === 'ended';
    el.end.textContent = c.state === 'waiting' ? 'Decline chat' : 'End chat';
    el.endedNote.hidden = c.state !== 'ended';
    el.endedNote.textContent = declined(c) ? 'You declined this chat.' : 'This chat has ended.';
  }

  function post(id, path, body) {
    el.error.textContent = '';
    return fetch(API + '/conversations/' + encodeURIComponent(id) + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data && data.message) || 'The action failed (' + response.status + ').');
        return data;
      });
    });
  }

  function showError(err) {
    el.error.textContent = err && err.message ? err.message : String(err);
  }

  el.acceptForm.addEventListener('submit', function (event) {
    event.preventDefault();
    if (!state.selectedId) return;
    post(state.selectedId, '/accept', { nickname: el.nickname.value })
      .then(function () { el.input.focus(); })
      .catch(showError);
  });

  el.sendForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var id = state.selectedId;
    var text = el.input.value.trim();
    var replies = el.quickReplies.value.split(',').map(function (r) { return r.trim(); }).filter(Boolean);
    if (!id || (!text && replies.length === 0)) return;
    if (text.length > MAX_TEXT) {
      showError('The message is ' + text.length + ' characters long; Genesys accepts at most ' + MAX_TEXT + '. Shorten it or send it in parts.');
      return;
    }
    post(id, replies.length > 0 ? '/quick-replies' : '/messages', replies.length > 0 ? { text: text, replies: replies } : { text: text })
      .then(function () {
        state.drafts[id] = '';
        if (state.selectedId !== id) return;
        el.input.value = '';
        el.quickReplies.value = '';
        state.lastTypingSent = 0;
        renderCount();
        el.input.focus();
      })
      .catch(showError);
  });

  el.fileForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = el.file.files && el.file.files[0];
    var id = state.selectedId;
    if (!file || !id) return;
    var reader = new FileReader();
    reader.onerror = function () { showError(new Error('The file could not be read.')); };
    reader.onload = function () {
      var data = String(reader.result).split(',')[1] || '';
      post(id, '/files', { fileName: file.name, contentType: file.type || 'application/octet-stream', data: data })
        .then(function () { el.file.value = ''; })
        .catch(showError);
    };
    reader.readAsDataURL(file);
  });

  el.input.addEventListener('input', function () {
    if (state.selectedId) state.drafts[state.selectedId] = el.input.value;
    renderCount();
    var now = Date.now();
    if (!state.selectedId || !el.input.value || now - state.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    state.lastTypingSent = now;
    post(state.selectedId, '/typing', {}).catch(showError);
  });

  el.end.addEventListener('click', function () {
    if (state.selectedId) post(state.selectedId, '/end', {}).catch(showError);
  });

  var events = new EventSource(API + '/events');
  events.addEventListener('open', function () {
    el.live.textContent = 'Live';
  });
  events.addEventListener('error', function () {
    el.live.textContent = 'Reconnecting…';
  });
  events.addEventListener('conversations', function (event) {
    state.conversations = JSON.parse(event.data);
    if (state.selectedId === null) {
      var waiting = state.conversations.filter(function (c) { return c.state === 'waiting'; })[0];
      if (waiting) select(waiting.id);
    }
    render();
  });
  events.addEventListener('typing', function (event) {
    var data = JSON.parse(event.data);
    var now = Date.now();
    state.typing[data.conversationId] = { since: now - 50, until: now + TYPING_SHOWN_MS };
    renderTyping();
    setTimeout(renderTyping, TYPING_SHOWN_MS + 50);
  });
})();
`;
