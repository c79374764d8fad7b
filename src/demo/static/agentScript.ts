/**
 * Browser script of the agent console (`/demo/agent.js`): follows the simulated Genesys through
 * Server-Sent Events and drives it through the agent API. All customer text is rendered with
 * `textContent`, never as HTML.
 */
export const AGENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var API = '/demo/api';
  var TYPING_SHOWN_MS = 5000;
  var TYPING_SEND_EVERY_MS = 5000;

  var state = { conversations: [], selectedId: null, typing: {}, lastTypingSent: 0 };
  var el = {
    list: document.getElementById('chat-list'),
    listEmpty: document.getElementById('chat-list-empty'),
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
    input: document.getElementById('agent-input'),
    end: document.getElementById('end-button'),
    fileForm: document.getElementById('file-form'),
    file: document.getElementById('agent-file'),
    endedNote: document.getElementById('ended-note'),
    error: document.getElementById('action-error'),
    live: document.getElementById('live-status')
  };

  function selected() {
    for (var i = 0; i < state.conversations.length; i++) {
      if (state.conversations[i].id === state.selectedId) return state.conversations[i];
    }
    return null;
  }

  function customerName(c) {
    return (c.customAttributes && c.customAttributes.botUserName) || 'Customer';
  }

  function stateLabel(c) {
    if (c.state === 'waiting') return 'Waiting';
    if (c.state === 'active') return 'With ' + (c.agent ? c.agent.nickname : 'an agent');
    return 'Ended';
  }

  function lastText(c) {
    for (var i = c.messages.length - 1; i >= 0; i--) {
      var m = c.messages[i];
      if (m.type !== 'Event' && m.text) return m.text.split('\n').pop();
    }
    return '';
  }

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function renderList() {
    el.list.textContent = '';
    el.listEmpty.hidden = state.conversations.length > 0;
    state.conversations.forEach(function (c) {
      var li = document.createElement('li');
      var button = make('button', 'chat-item');
      button.type = 'button';
      button.setAttribute('data-testid', 'chat-item');
      button.setAttribute('data-conversation-id', c.id);
      button.setAttribute('data-state', c.state);
      button.setAttribute('aria-current', c.id === state.selectedId ? 'true' : 'false');
      button.appendChild(make('span', 'name', customerName(c)));
      button.appendChild(make('span', 'badge ' + c.state, stateLabel(c)));
      button.appendChild(make('span', 'preview', time(c.startedAt) + ' · ' + lastText(c)));
      button.addEventListener('click', function () {
        state.selectedId = c.id;
        el.error.textContent = '';
        render();
        if (c.state === 'waiting') el.nickname.focus();
        else if (c.state === 'active') el.input.focus();
      });
      li.appendChild(button);
      el.list.appendChild(li);
    });
  }

  function renderMessages(c) {
    var atBottom = el.messages.scrollHeight - el.messages.scrollTop - el.messages.clientHeight < 40;
    el.messages.textContent = '';
    var firstInbound = true;
    c.messages.forEach(function (m) {
      var li;
      if (m.type === 'Event') {
        var ended = (m.events || []).indexOf('Presence:Disconnect') >= 0;
        li = make('li', 'message event', ended ? 'You ended the chat.' : (m.events || []).join(', '));
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
      if (m.text) li.appendChild(make('p', 'text', m.text));
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
    if (atBottom) el.messages.scrollTop = el.messages.scrollHeight;
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
    el.acceptForm.hidden = c.state !== 'waiting';
    el.sendForm.hidden = c.state !== 'active';
    el.fileForm.hidden = c.state !== 'active';
    el.end.hidden = c.state === 'ended';
    el.endedNote.hidden = c.state !== 'ended';
  }

  function post(path, body) {
    var c = selected();
    if (!c) return Promise.resolve(null);
    el.error.textContent = '';
    return fetch(API + '/conversations/' + encodeURIComponent(c.id) + path, {
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
    post('/accept', { nickname: el.nickname.value })
      .then(function () { el.input.focus(); })
      .catch(showError);
  });

  el.sendForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = el.input.value.trim();
    if (!text) return;
    post('/messages', { text: text })
      .then(function () {
        el.input.value = '';
        state.lastTypingSent = 0;
        el.input.focus();
      })
      .catch(showError);
  });

  el.fileForm.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = el.file.files && el.file.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onerror = function () { showError(new Error('The file could not be read.')); };
    reader.onload = function () {
      var data = String(reader.result).split(',')[1] || '';
      post('/files', { fileName: file.name, contentType: file.type || 'application/octet-stream', data: data })
        .then(function () { el.file.value = ''; })
        .catch(showError);
    };
    reader.readAsDataURL(file);
  });

  el.input.addEventListener('input', function () {
    var now = Date.now();
    if (!el.input.value || now - state.lastTypingSent < TYPING_SEND_EVERY_MS) return;
    state.lastTypingSent = now;
    post('/typing', {}).catch(showError);
  });

  el.end.addEventListener('click', function () {
    post('/end', {}).catch(showError);
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
      if (waiting) state.selectedId = waiting.id;
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
