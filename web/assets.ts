import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { reportStyles } from './styles-report';
import { financeStyles } from './styles-finance';
import { teamStyles } from './styles-team';
import { consultantStyles } from './styles-consultant';
import { roundStyles, roundsScript } from './rounds-script';

/**
 * The workspace's own style and script, served from memory with long caching (their URL carries
 * their hash) and gzipped for browsers that take it. The pages work without the script; it only
 * adds conveniences (a photo's preview, the typeahead's suggestions, a confirmation).
 */
const styles = `
:root { --ink: #1b1b1b; --muted: #545454; --line: #b1b4b6; --back: #f3f2f1; --accent: #00487a; --accent-ink: #fff;
  --ok: #00703c; --warn: #8a4b00; --bad: #a4161a; --focus: #ffdd00; font-size: 100%; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); text-underline-offset: .15em; }
a:hover { text-decoration-thickness: 3px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 0; box-shadow: 0 0 0 6px var(--ink); }
.skip { position: absolute; left: -999px; top: 0; background: var(--focus); color: var(--ink); padding: .5rem 1rem; z-index: 10; }
.skip:focus { left: 0; }
header.site { background: var(--accent); color: var(--accent-ink); }
header.site .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; max-width: 72rem; margin: 0 auto; padding: .75rem 1rem; }
header.site a { color: var(--accent-ink); }
header.site .brand { font-weight: 700; font-size: 1.125rem; text-decoration: none; margin-right: auto; }
header.site nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0; padding: 0; }
header.site nav a[aria-current="page"] { font-weight: 700; text-decoration-thickness: 3px; }
header.site form { display: inline; }
header.site .who { font-size: .9375rem; }
header.site .muted { color: #e8eef4; }
header.site button { background: transparent; color: var(--accent-ink); border: 2px solid var(--accent-ink); padding: .25rem .75rem; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1rem 3rem; }
h1 { font-size: 1.75rem; line-height: 1.2; margin: .5rem 0 1rem; }
h2 { font-size: 1.375rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.125rem; margin: 1.5rem 0 .5rem; }
p, ul, ol, dl, table { margin: 0 0 1rem; }
.lead { font-size: 1.125rem; color: var(--muted); }
.muted { color: var(--muted); }
.notice { border-left: 6px solid var(--accent); background: var(--back); padding: .75rem 1rem; margin: 0 0 1.5rem; }
.notice.ok { border-color: var(--ok); } .notice.warn { border-color: var(--warn); } .notice.bad { border-color: var(--bad); }
.notice h2 { margin-top: 0; font-size: 1.125rem; }
form.stack > * + * { margin-top: 1rem; }
label, legend { display: block; font-weight: 600; margin-bottom: .25rem; }
.hint { display: block; color: var(--muted); font-weight: 400; margin-bottom: .25rem; }
.error-text { display: block; color: var(--bad); font-weight: 600; }
input[type=text], input[type=search], input[type=email], input[type=number], input[type=date], input[type=month], input[type=file], select, textarea {
  display: block; width: 100%; max-width: 36rem; font: inherit; padding: .5rem; border: 2px solid var(--ink); border-radius: 0; background: #fff; }
input[aria-invalid=true], select[aria-invalid=true], textarea[aria-invalid=true] { border-color: var(--bad); }
textarea { min-height: 6rem; }
fieldset { border: 0; padding: 0; margin: 0; }
.choices label { font-weight: 400; display: flex; gap: .5rem; align-items: center; min-height: 2.75rem; }
.choices input { width: 1.5rem; height: 1.5rem; }
button, .button { display: inline-block; font: inherit; font-weight: 600; background: var(--ok); color: #fff; border: 0; padding: .625rem 1.25rem;
  min-height: 2.75rem; text-decoration: none; cursor: pointer; box-shadow: 0 2px 0 #002d18; }
button.secondary, .button.secondary { background: var(--back); color: var(--ink); box-shadow: 0 2px 0 #929191; }
button.warning, .button.warning { background: var(--bad); box-shadow: 0 2px 0 #55070a; }
.actions { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .5rem .75rem .5rem 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.table-scroll { overflow-x: auto; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); }
.card { border: 1px solid var(--line); border-top: 5px solid var(--accent); padding: .75rem 1rem; }
.card.warn { border-top-color: var(--warn); } .card.bad { border-top-color: var(--bad); }
.card h3 { margin-top: 0; }
.count { font-size: 2rem; font-weight: 700; line-height: 1; display: block; }
.tag { display: inline-block; padding: 0 .5rem; background: var(--back); border: 1px solid var(--line); font-size: .875rem; }
.tag.bad { background: #fbe3e4; border-color: var(--bad); } .tag.ok { background: #e2f3e9; border-color: var(--ok); } .tag.warn { background: #fff1d6; border-color: var(--warn); }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .25rem 1rem; }
dl.facts dt { font-weight: 600; } dl.facts dd { margin: 0; }
ol.timeline { list-style: none; padding: 0; border-left: 3px solid var(--line); }
ol.timeline li { position: relative; padding: 0 0 1rem 1rem; }
ol.timeline li::before { content: ""; position: absolute; left: -.55rem; top: .4rem; width: .75rem; height: .75rem; border-radius: 50%; background: var(--accent); }
.filters { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-end; background: var(--back); padding: 1rem; margin-bottom: 1.5rem; }
.filters > div { min-width: 10rem; flex: 1 1 10rem; }
.pager { display: flex; gap: 1rem; justify-content: space-between; }
.photos { display: flex; flex-wrap: wrap; gap: .5rem; } .photos img { max-width: 12rem; max-height: 12rem; border: 1px solid var(--line); }
img.preview { max-width: 16rem; display: block; margin-top: .5rem; }
svg.chart { max-width: 100%; height: auto; font: .8125rem system-ui, sans-serif; }
footer.site { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; }
footer.site div { max-width: 72rem; margin: 0 auto; padding: 1rem; }
@media (max-width: 40rem) {
  h1 { font-size: 1.5rem; }
  header.site .bar { padding: .5rem 1rem; }
  button, .button { width: 100%; text-align: center; }
  .actions { flex-direction: column; align-items: stretch; }
  table.stack-on-phone thead { position: absolute; left: -999px; }
  table.stack-on-phone tr { display: block; border-bottom: 2px solid var(--line); padding: .5rem 0; }
  table.stack-on-phone td { display: block; border: 0; padding: .125rem 0; }
  table.stack-on-phone td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
}
`;

const script = `
'use strict';
// A photo chosen in a form is shown before it is sent.
document.addEventListener('change', function (event) {
  var input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== 'file' || !input.files || !input.dataset.preview) return;
  var img = document.getElementById(input.dataset.preview);
  if (img && input.files[0]) { img.src = URL.createObjectURL(input.files[0]); img.hidden = false; }
});
// A button that asks before it acts (cancel, credit): the form only goes when the person confirms.
document.addEventListener('submit', function (event) {
  var button = event.submitter;
  var question = (button && button.dataset.confirm) || (event.target && event.target.dataset && event.target.dataset.confirm);
  if (question && !window.confirm(question)) event.preventDefault();
});
// A refused form: its summary of what to mend gets the focus, so that a screen reader starts there.
var errorSummary = document.querySelector('.error-summary[tabindex]');
if (errorSummary) errorSummary.focus();
// A field that suggests as one types (complexes, buildings, tenants), from the directory's search
// (data-suggest: its URL; data-suggest-scope: the id of a field whose value narrows it, sent under that
// name). What was chosen is named beside the field (#<id>-chosen), since the field holds only an id.
document.querySelectorAll('input[data-suggest]').forEach(function (input) {
  var list = document.getElementById(input.getAttribute('list'));
  var chosen = document.getElementById(input.id + '-chosen');
  var timer = null;
  function name() {
    if (!chosen || !list) return;
    var value = input.value.trim().toLowerCase();
    var match = Array.prototype.find.call(list.options, function (o) { return o.value.toLowerCase() === value; });
    chosen.textContent = match ? match.label : '';
  }
  input.addEventListener('change', name);
  input.addEventListener('input', function () {
    clearTimeout(timer);
    name();
    var q = input.value.trim();
    if (q.length < 2 || !list) return;
    timer = setTimeout(function () {
      var url = input.dataset.suggest + (input.dataset.suggest.indexOf('?') < 0 ? '?' : '&') + 'q=' + encodeURIComponent(q);
      var scope = input.dataset.suggestScope && document.getElementById(input.dataset.suggestScope);
      if (scope && scope.value.trim()) url += '&' + encodeURIComponent(scope.id) + '=' + encodeURIComponent(scope.value.trim());
      fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (answer) {
          if (input.value.trim() !== q) return;
          list.replaceChildren.apply(list, answer.suggestions.map(function (s) { var o = document.createElement('option'); o.value = s.value; o.label = s.label; return o; }));
          name();
        })
        .catch(function () {});
    }, 200);
  });
});
`;

function asset(body: string, type: string) {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, gzipped: gzipSync(body), type, hash };
}

const files = {
  'app.css': asset([styles, financeStyles, teamStyles, reportStyles, consultantStyles, roundStyles].join('\n'), 'text/css; charset=utf-8'),
  'app.js': asset(script, 'text/javascript; charset=utf-8'),
  // Only on a round's pages: keeps a finding on the phone until it is sent (web/rounds-script.ts).
  'rounds.js': asset(roundsScript, 'text/javascript; charset=utf-8'),
};
type AssetName = keyof typeof files;

/** The URL of an asset, with its hash, so that a changed file is a new URL and the old one can be cached for a year. */
/** What a first load ships of script: the workspace's one script, plain and gzipped (issue 13: at most 250 kB compressed). */
export const workspaceScriptBytes = () => ({ plain: files['app.js'].body.length, gzipped: files['app.js'].gzipped.length });

export const assetUrl = (name: AssetName) => `/app/assets/${files[name].hash}/${name}`;

export function registerAssets(app: FastifyInstance): void {
  app.get<{ Params: { hash: string; name: string } }>('/app/assets/:hash/:name', { config: { access: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const file = files[request.params.name as AssetName];
    if (!file) return reply.callNotFound();
    void reply.header('cache-control', 'public, max-age=31536000, immutable').type(file.type);
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(file.gzipped);
    return reply.send(file.body);
  });
}
