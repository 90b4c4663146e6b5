/**
 * The walking page's own script (rounds.js), loaded only by the round's pages. A finding is kept in
 * the phone's localStorage with its own id (the form's findingId) before it is sent, and sent again
 * until the server has answered, when the connection comes back and every few seconds: the server
 * records a finding once by its id, so sending it twice is harmless. The photo is kept as a smaller
 * JPEG (at most 1600 px), so that a few findings fit in the store. Without script, the form is sent
 * as a plain form with the same id.
 */
export const roundsScript = `
'use strict';
(function () {
  var KEY = 'schouw-bevindingen';
  var status = document.getElementById('wachtrij');
  function waiting() { try { return JSON.parse(localStorage.getItem(KEY) || '[]'); } catch (e) { return []; } }
  function keep(list) { try { localStorage.setItem(KEY, JSON.stringify(list)); return true; } catch (e) { return false; } }
  function say(text) { if (!status) return; status.textContent = text; status.hidden = !text; }
  function show() {
    var n = waiting().length;
    say(n === 0 ? '' : (n === 1 ? '1 bevinding wacht' : n + ' bevindingen wachten') + ' op verbinding en ' + (n === 1 ? 'wordt' : 'worden') + ' vanzelf verstuurd.');
  }
  function smaller(file) {
    return new Promise(function (resolve) {
      if (!file) return resolve(null);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, 1600 / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement('canvas');
        canvas.width = Math.round(img.naturalWidth * scale); canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL('image/jpeg', 0.8));
      };
      img.onerror = function () { resolve(null); };
      img.src = URL.createObjectURL(file);
    });
  }
  function blobOf(dataUrl) {
    var parts = dataUrl.split(','); var bytes = atob(parts[1]); var array = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) array[i] = bytes.charCodeAt(i);
    return new Blob([array], { type: 'image/jpeg' });
  }
  var busy = false;
  function send() {
    var list = waiting();
    if (busy || list.length === 0) return;
    busy = true;
    var item = list[0];
    var data = new FormData();
    Object.keys(item.fields).forEach(function (name) { data.append(name, item.fields[name]); });
    if (item.photo) data.append('photo', blobOf(item.photo), 'foto.jpg');
    fetch(item.action, { method: 'POST', body: data, credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (response) {
        // A server error or an unavailable dependency: kept, and tried again.
        if (response.status >= 500) throw new Error(String(response.status));
        keep(waiting().filter(function (other) { return other.fields.findingId !== item.fields.findingId; }));
        busy = false;
        if (response.status >= 400) { say('Een bevinding is geweigerd (' + response.status + '). Open de ronde opnieuw en kijk wat er mist.'); return; }
        if (waiting().length > 0) return send();
        show();
        if (item.back) location.href = item.back + '?gedaan=finding';
      })
      .catch(function () { busy = false; show(); });
  }
  document.querySelectorAll('form[data-offline-finding]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var fields = {};
      new FormData(form).forEach(function (value, name) { if (typeof value === 'string') fields[name] = value; });
      var file = form.querySelector('input[type=file]');
      smaller(file && file.files && file.files[0]).then(function (photo) {
        var list = waiting().filter(function (other) { return other.fields.findingId !== fields.findingId; });
        var item = { action: form.action, back: form.dataset.back, fields: fields, photo: photo };
        list.push(item);
        // No room for the photo: the finding is kept without it rather than not at all.
        if (!keep(list)) { item.photo = null; keep(list); }
        form.querySelector('button[type=submit]').disabled = true;
        say(form.dataset.offlineText || '');
        send();
      });
    });
  });
  window.addEventListener('online', send);
  setInterval(send, 5000);
  show();
  send();
})();
`;

export const roundStyles = `
ol.round-spaces { list-style: none; padding: 0; }
ol.round-spaces > li { border-bottom: 1px solid var(--line); padding: .75rem 0; }
ol.round-spaces .space-name { font-weight: 600; font-size: 1.125rem; margin-right: .5rem; }
.space-actions { display: grid; grid-template-columns: 1fr 1fr; gap: .75rem; margin-top: .5rem; }
.space-actions form, .space-actions button, .space-actions .button { width: 100%; margin: 0; text-align: center; }
`;
