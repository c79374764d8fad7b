/**
 * Browser script of the customer page (`/demo/customer.js`): gets a Direct Line token from the
 * local Direct Line service and renders Web Chat against it.
 */
export const CUSTOMER_SCRIPT = String.raw`
(function () {
  'use strict';
  var root = document.getElementById('webchat');
  var status = document.getElementById('status');

  function fail(text) {
    status.textContent = text;
    status.hidden = false;
  }

  if (!root) return;
  if (!window.WebChat) {
    fail('The Web Chat bundle did not load. In the bot folder run "node scripts/fetch-webchat.js", then reload this page.');
    return;
  }

  var userName = root.getAttribute('data-user-name') || 'Customer';
  var userId = 'demo-user-' + Math.random().toString(36).slice(2, 10);

  fetch('/v3/directline/tokens/generate', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: { id: userId, name: userName } })
  })
    .then(function (response) {
      if (!response.ok) throw new Error('the demo Direct Line answered ' + response.status);
      return response.json();
    })
    .then(function (credentials) {
      var directLine = window.WebChat.createDirectLine({
        token: credentials.token,
        domain: window.location.origin + '/v3/directline',
        webSocket: true
      });
      window.WebChat.renderWebChat(
        {
          directLine: directLine,
          userID: userId,
          username: userName,
          locale: 'en-US',
          sendTypingIndicator: true,
          styleOptions: {
            hideUploadButton: true,
            botAvatarInitials: 'Bot',
            userAvatarInitials: 'You',
            rootHeight: '100%',
            typingAnimationDuration: 5000
          }
        },
        root
      );
      var input = document.querySelector('[data-id="webchat-sendbox-input"]');
      if (input) input.focus();
    })
    .catch(function (err) {
      fail('Could not start the chat: ' + (err && err.message ? err.message : String(err)));
    });
})();
`;
