// The dashboard's only script, served as /ui/assets/app.js (no build step, no CDN):
// refreshes a page's live region, shows times in the viewer's zone, cancels a run,
// and posts a Run form as JSON. Plain ES2020 in a string: no backticks or "${" inside.
// State-changing requests carry Content-Type: application/json and X-Gcflow-Client
// (browser-safety.ts refuses others), and are same-origin, so the browser sends the
// Basic credentials it was given for /ui.

// biome-ignore lint/complexity/noUselessStringRaw: raw, so a backslash added later reaches the browser as written
export const CLIENT_JS = String.raw`'use strict';
(function () {
  var UI = '/ui';
  var JSON_HEADERS = { 'Content-Type': 'application/json', 'X-Gcflow-Client': 'dashboard' };

  function localTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d.getTime())) t.textContent = d.toLocaleString();
    });
  }

  function say(el, text, isError) {
    if (!el) return;
    el.textContent = text;
    el.classList.toggle('error-text', !!isError);
  }

  // An API error body is {error: {code, message, hint}}.
  function readError(res) {
    return res.text().then(function (text) {
      try {
        var body = JSON.parse(text);
        if (body && body.error) return body.error;
      } catch (e) { /* not JSON */ }
      return { code: 'HTTP_' + res.status, message: res.status + ' ' + res.statusText, hint: null };
    });
  }

  // ---- live regions: #live[data-poll-ms] is fetched again (fragment) until it has no data-poll-ms
  var failures = 0;
  function schedule() {
    var live = document.getElementById('live');
    if (!live || !live.hasAttribute('data-poll-ms')) return;
    var ms = Number(live.getAttribute('data-poll-ms')) || 2000;
    setTimeout(refresh, Math.min(ms * Math.pow(2, failures), 30000));
  }
  function refresh() {
    if (document.hidden) { schedule(); return; }
    var state = document.querySelector('.live-state');
    fetch(location.pathname + location.search, {
      headers: { 'X-Gcflow-Fragment': 'live' }, cache: 'no-store', credentials: 'same-origin'
    }).then(function (res) {
      if (!res.ok) throw new Error('live update answered ' + res.status);
      return res.text();
    }).then(function (text) {
      var live = document.getElementById('live');
      var tpl = document.createElement('template');
      tpl.innerHTML = text;
      var fresh = tpl.content.getElementById('live');
      if (!live || !fresh) throw new Error('live update without its region');
      var open = {};
      live.querySelectorAll('details[data-key]').forEach(function (d) { open[d.getAttribute('data-key')] = d.open; });
      fresh.querySelectorAll('details[data-key]').forEach(function (d) {
        var key = d.getAttribute('data-key');
        if (Object.prototype.hasOwnProperty.call(open, key)) d.open = open[key];
      });
      var message = live.querySelector('.action-result');
      var freshMessage = fresh.querySelector('.action-result');
      if (message && freshMessage) { freshMessage.textContent = message.textContent; freshMessage.className = message.className; }
      localTimes(fresh);
      live.replaceWith(fresh);
      failures = 0;
      say(state, 'live', false);
    }).catch(function (err) {
      failures = Math.min(failures + 1, 4);
      say(state, 'live updates paused: ' + err.message + ' (retrying)', true);
    }).then(schedule);
  }

  // ---- Cancel (delegated: the button is re-rendered by every refresh)
  document.addEventListener('click', function (ev) {
    var button = ev.target.closest && ev.target.closest('[data-cancel-run]');
    if (!button) return;
    var id = button.getAttribute('data-cancel-run');
    if (!window.confirm('Cancel run ' + id + '? Its finally steps still run.')) return;
    var out = button.parentElement.querySelector('.action-result');
    button.disabled = true;
    fetch('/api/runs/' + encodeURIComponent(id) + '/cancel', {
      method: 'POST', headers: JSON_HEADERS, body: '{}', credentials: 'same-origin'
    }).then(function (res) {
      if (res.ok) { say(out, 'cancelling…', false); return; }
      return readError(res).then(function (e) { button.disabled = false; say(out, e.message, true); });
    }).catch(function (err) { button.disabled = false; say(out, err.message, true); });
  });

  // ---- Run forms: typed JSON from the fields, the API's input problems beside them
  function readField(el, body, errors) {
    var name = el.name, type = el.getAttribute('data-type');
    if (el.type === 'checkbox') { body[name] = el.checked; return; }
    var text = el.value;
    if (el.tagName === 'SELECT') {
      var opt = el.options[el.selectedIndex];
      if (!opt || opt.value === '') return;
      body[name] = opt.hasAttribute('data-json') ? JSON.parse(opt.getAttribute('data-json')) : opt.value;
      return;
    }
    if (text.trim() === '') return; // the input's default applies, or the API says it is required
    if (type === 'integer' || type === 'number') {
      var n = Number(text);
      body[name] = isNaN(n) ? text : n;
    } else if (type === 'list' || type === 'object') {
      try { body[name] = JSON.parse(text); } catch (e) { errors[name] = 'not valid JSON: ' + e.message; }
    } else {
      body[name] = text;
    }
  }

  function showProblems(form, error) {
    var rest = [];
    var message = error.message || '';
    var colon = message.indexOf(': ');
    var problems = error.code === 'E_INPUT_INVALID' && colon >= 0 ? message.slice(colon + 2).split('; ') : [message];
    problems.forEach(function (p) {
      var m = /input '([^']+)'/.exec(p);
      var slot = m && form.querySelector('[data-error-for="' + CSS.escape(m[1]) + '"]');
      if (slot) say(slot, p, true); else rest.push(p);
    });
    if (rest.length) say(form.querySelector('.form-error'), rest.join('; ') + (error.hint ? ' (' + error.hint + ')' : ''), true);
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!form.classList || !form.classList.contains('run-form')) return;
    ev.preventDefault();
    var workflow = form.getAttribute('data-workflow');
    form.querySelectorAll('.field-error, .form-error').forEach(function (el) { say(el, '', false); });
    var body = {}, errors = {};
    form.querySelectorAll('[data-type]').forEach(function (el) { readField(el, body, errors); });
    var bad = Object.keys(errors);
    if (bad.length) {
      bad.forEach(function (name) { say(form.querySelector('[data-error-for="' + CSS.escape(name) + '"]'), errors[name], true); });
      return;
    }
    var submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    fetch('/api/workflows/' + encodeURIComponent(workflow) + '/runs', {
      method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body), credentials: 'same-origin'
    }).then(function (res) {
      if (res.status === 202) {
        return res.json().then(function (r) { location.assign(UI + '/runs/' + encodeURIComponent(r.run_id)); });
      }
      return readError(res).then(function (e) { submit.disabled = false; showProblems(form, e); });
    }).catch(function (err) {
      submit.disabled = false;
      say(form.querySelector('.form-error'), err.message, true);
    });
  });

  document.addEventListener('DOMContentLoaded', function () {
    localTimes(document);
    schedule();
  });
})();
`;
