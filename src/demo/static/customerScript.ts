/**
 * Browser script of the customer page (`/demo/customer.js`): renders Web Chat against the local
 * Direct Line service. The conversation's token and id are kept in the tab's `sessionStorage`, so a
 * reload continues the same chat (Direct Line 3.0 reconnect, `GET /v3/directline/conversations/:id`).
 * When the service no longer knows the conversation (the bot restarted: 404 on reconnect, 403 for
 * an unknown token) the page starts a new chat and says so. `?name=<name>` chooses the customer's
 * name; without it the service gives one.
 */
export const CUSTOMER_SCRIPT = String.raw`
(function () {
  'use strict';
  var STORAGE_KEY = 'demo.directLine';
  var CONNECTION = { ExpiredToken: 3, FailedToConnect: 4, Ended: 5, Online: 2 };
  var root = document.getElementById('webchat');
  var status = document.getElementById('status');
  var current = null;

  function notice(text) {
    status.textContent = text;
    status.hidden = !text;
  }

  if (!root) return;
  if (!window.WebChat) {
    notice('The Web Chat bundle did not load. In the bot folder run "node scripts/fetch-webchat.js", then reload this page.');
    return;
  }

  function saved() {
    try {
      var value = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
      if (value && typeof value.token === 'string' && typeof value.conversationId === 'string' && typeof value.userId === 'string') return value;
    } catch (err) {
      // Unreadable storage is the same as none.
    }
    return null;
  }

  function save(value) {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch (err) {
      // Without storage a reload starts a new chat.
    }
  }

  function forget() {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch (err) {
      // Nothing kept.
    }
  }

  function json(response) {
    if (!response.ok) {
      var error = new Error('the demo Direct Line answered ' + response.status);
      error.status = response.status;
      throw error;
    }
    return response.json();
  }

  function newCredentials() {
    var userId = 'demo-user-' + Math.random().toString(36).slice(2, 10);
    var user = { id: userId };
    var name = (new URLSearchParams(window.location.search).get('name') || '').trim();
    if (name) user.name = name.slice(0, 40);
    return fetch('/v3/directline/tokens/generate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: user })
    })
      .then(json)
      .then(function (credentials) {
        return { token: credentials.token, userId: userId };
      });
  }

  /** The kept conversation when the service still knows it; null when it does not. */
  function resumable(kept) {
    return fetch('/v3/directline/conversations/' + encodeURIComponent(kept.conversationId), {
      headers: { authorization: 'Bearer ' + kept.token }
    }).then(function (response) {
      if (response.status === 403 || response.status === 404) return null;
      return json(response).then(function () { return kept; });
    });
  }

  function render(credentials) {
    if (current) {
      current.subscription.unsubscribe();
      current.directLine.end();
      current.host.remove();
    }
    var host = document.createElement('div');
    host.className = 'webchat-host';
    root.appendChild(host);
    var options = { token: credentials.token, domain: window.location.origin + '/v3/directline', webSocket: true };
    if (credentials.conversationId) options.conversationId = credentials.conversationId;
    var directLine = window.WebChat.createDirectLine(options);
    var online = false;
    var session = { directLine: directLine, host: host, subscription: null, lost: false };
    current = session;
    function lost() {
      if (current !== session || session.lost) return;
      session.lost = true;
      forget();
      start('The chat service restarted and no longer knows your conversation, so a new chat has started.');
    }
    session.subscription = directLine.connectionStatus$.subscribe(function (state) {
      if (state === CONNECTION.Online) {
        online = true;
        save({ token: directLine.token || credentials.token, conversationId: directLine.conversationId, userId: credentials.userId });
      } else if (online && (state === CONNECTION.Ended || state === CONNECTION.FailedToConnect || state === CONNECTION.ExpiredToken)) {
        lost();
      }
    });
    // A reconnect that finds the conversation gone ends the activity stream with an error: that
    // starts a new chat here, instead of reaching Web Chat as an uncaught error.
    var activities = directLine.activity$;
    directLine.activity$ = {
      subscribe: function (observerOrNext, error, complete) {
        var observer = typeof observerOrNext === 'function'
          ? { next: observerOrNext, error: error, complete: complete }
          : observerOrNext || {};
        return activities.subscribe({
          next: function (activity) { if (observer.next) observer.next(activity); },
          error: lost,
          complete: function () { if (observer.complete) observer.complete(); }
        });
      }
    };
    window.WebChat.renderWebChat(
      {
        directLine: directLine,
        userID: credentials.userId,
        locale: 'en-US',
        sendTypingIndicator: true,
        styleOptions: {
          hideUploadButton: false,
          botAvatarInitials: 'Bot',
          userAvatarInitials: 'You',
          rootHeight: '100%',
          typingAnimationDuration: 5000
        }
      },
      host
    );
    var input = host.querySelector('[data-id="webchat-sendbox-input"]');
    if (input) input.focus();
  }

  function start(message) {
    return newCredentials()
      .then(function (credentials) {
        render(credentials);
        notice(message || '');
      })
      .catch(function (err) {
        notice('Could not start the chat: ' + (err && err.message ? err.message : String(err)));
      });
  }

  var kept = saved();
  if (!kept) {
    start('');
    return;
  }
  resumable(kept)
    .then(function (conversation) {
      if (conversation) {
        root.setAttribute('data-resumed', 'true');
        render(conversation);
        return undefined;
      }
      forget();
      return start('Your earlier chat is no longer available (the bot was restarted), so a new chat has started.');
    })
    .catch(function (err) {
      notice('Could not reach the chat service: ' + (err && err.message ? err.message : String(err)) + '. Reload the page to try again.');
    });
})();
`;
