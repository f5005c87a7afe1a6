// The API docs page at GET /docs: a small page of our own that fetches /v1/openapi.json and
// renders every operation, grouped by tag, with its permission, parameters, request body,
// responses, schemas and examples. Everything it needs is served by this host (no CDN: the
// server may run offline), as three files: the page, its style sheet and its script, so a
// strict Content-Security-Policy (self only, no inline script) holds.
//
// Why not swagger-ui or Redoc: they are megabytes of bundled code to serve for a page that
// needs a few hundred lines, and our document is small and regular (it is generated from one
// route table), so rendering it ourselves keeps the server small and the page fast.

export const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ims API</title>
<link rel="stylesheet" href="/docs/docs.css">
<script src="/docs/docs.js" defer></script>
</head>
<body data-state="loading">
<header>
  <h1 id="title">ims API</h1>
  <p id="description">Loading <a href="/v1/openapi.json">/v1/openapi.json</a>…</p>
  <input id="filter" type="search" placeholder="Filter: path, summary or permission" aria-label="Filter operations">
</header>
<nav id="tags" aria-label="Tags"></nav>
<main id="operations"></main>
<p id="error" hidden></p>
</body>
</html>
`;

export const DOCS_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #dde2ea; --bg: #f7f8fa; --get: #1f6feb; --post: #1a7f37; --patch: #9a6700; --delete: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 1.5rem 2rem 1rem; background: #fff; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
#description { margin: 0 0 .75rem; color: var(--muted); }
#filter { width: min(40rem, 100%); padding: .45rem .6rem; border: 1px solid var(--line); border-radius: 6px; font: inherit; }
nav { padding: .75rem 2rem; display: flex; flex-wrap: wrap; gap: .5rem; }
nav a { padding: .2rem .6rem; border: 1px solid var(--line); border-radius: 999px; background: #fff; color: var(--fg); text-decoration: none; }
main { padding: 0 2rem 3rem; }
section.tag h2 { margin: 1.5rem 0 .5rem; font-size: 1.25rem; }
details.op { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: .4rem 0; }
details.op > summary { cursor: pointer; padding: .55rem .8rem; display: flex; gap: .75rem; align-items: baseline; list-style: none; }
details.op > summary::-webkit-details-marker { display: none; }
.method { font: 700 .75rem/1 ui-monospace, monospace; text-transform: uppercase; color: #fff; padding: .3rem .45rem; border-radius: 4px; min-width: 4.2rem; text-align: center; background: var(--get); }
.method.post { background: var(--post); } .method.patch, .method.put { background: var(--patch); } .method.delete { background: var(--delete); }
.path { font-family: ui-monospace, monospace; font-weight: 600; }
.summary { color: var(--muted); }
.body { padding: 0 1rem 1rem; border-top: 1px solid var(--line); }
.perm { display: inline-block; font: .8rem ui-monospace, monospace; background: var(--bg); border: 1px solid var(--line); border-radius: 4px; padding: 0 .35rem; }
h4 { margin: 1rem 0 .35rem; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
code, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
pre { background: #0d1117; color: #e6edf3; padding: .75rem; border-radius: 6px; overflow: auto; max-height: 24rem; }
ul.schema { margin: .2rem 0; padding-left: 1.2rem; }
ul.schema li { margin: .1rem 0; }
.type { color: var(--muted); font-family: ui-monospace, monospace; font-size: .85rem; }
.req { color: var(--delete); font-size: .8rem; }
#error { margin: 2rem; padding: 1rem; background: #ffebe9; border: 1px solid #ff8182; border-radius: 6px; }
`;

export const DOCS_SCRIPT = `'use strict';
(function () {
  var doc = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c); });
    return node;
  }

  /** A $ref inside this document, resolved; other schemas as they are. */
  function resolve(schema) {
    if (schema && typeof schema.$ref === 'string' && schema.$ref.indexOf('#/') === 0) {
      var parts = schema.$ref.slice(2).split('/');
      var target = doc;
      parts.forEach(function (p) { target = target && target[p]; });
      return target || schema;
    }
    return schema;
  }

  function typeOf(schema) {
    schema = resolve(schema) || {};
    if (schema.anyOf) return schema.anyOf.map(typeOf).join(' | ');
    if (schema.oneOf) return schema.oneOf.map(typeOf).join(' | ');
    if (schema.enum) return schema.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    var t = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type || 'any');
    if (t === 'array') return 'array of ' + typeOf(schema.items);
    if (schema.format) t += ' (' + schema.format + ')';
    return t;
  }

  function constraints(schema) {
    var out = [];
    ['minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'minItems', 'maxItems', 'default'].forEach(function (k) {
      if (schema[k] !== undefined) out.push(k + ' ' + JSON.stringify(schema[k]));
    });
    if (schema['x-quantity']) out.push('exact, at most 6 decimals');
    return out.length ? ' — ' + out.join(', ') : '';
  }

  /** The fields of an object schema as a nested list; arrays and unions show their members. */
  function schemaTree(schema, depth) {
    schema = resolve(schema) || {};
    if (depth > 6) return el('span', { class: 'type', text: '…' });
    var inner = schema.type === 'array' ? resolve(schema.items) || {} : schema;
    if (inner.anyOf) inner = resolve(inner.anyOf.filter(function (s) { return resolve(s).type !== 'null'; })[0]) || inner;
    var props = inner.properties;
    if (!props) return el('span', { class: 'type', text: typeOf(schema) + constraints(schema) });
    var required = inner.required || [];
    return el('ul', { class: 'schema' }, Object.keys(props).map(function (name) {
      var p = resolve(props[name]) || {};
      var nested = (p.properties || (p.items && resolve(p.items).properties)) ? schemaTree(p, depth + 1) : null;
      return el('li', {}, [
        el('code', { text: name }), ' ', el('span', { class: 'type', text: typeOf(p) + constraints(p) }),
        required.indexOf(name) >= 0 ? el('span', { class: 'req', text: ' required' }) : null,
        p.description ? el('div', { text: p.description }) : null,
        nested,
      ]);
    }));
  }

  function exampleOf(media) {
    if (!media) return undefined;
    if (media.example !== undefined) return media.example;
    var named = media.examples && Object.keys(media.examples)[0];
    return named ? media.examples[named].value : undefined;
  }

  function mediaBlock(title, media) {
    if (!media) return [];
    var example = exampleOf(media);
    return [
      el('h4', { text: title }),
      media.schema ? schemaTree(media.schema, 0) : null,
      example !== undefined ? el('pre', { text: typeof example === 'string' ? example : JSON.stringify(example, null, 2) }) : null,
    ];
  }

  function operation(path, method, op) {
    var params = op.parameters || [];
    var body = el('div', { class: 'body' }, [
      el('p', {}, [op.description || op.summary || '']),
      el('p', {}, ['Permission: ', el('span', { class: 'perm', text: op['x-permission'] || 'none (open)' })]),
      params.length ? el('h4', { text: 'Parameters' }) : null,
      params.length ? el('table', {}, [el('tr', {}, [el('th', { text: 'name' }), el('th', { text: 'in' }), el('th', { text: 'type' }), el('th', { text: 'required' })])]
        .concat(params.map(function (p) {
          return el('tr', {}, [el('td', {}, [el('code', { text: p.name })]), el('td', { text: p.in }), el('td', { text: typeOf(p.schema) + constraints(resolve(p.schema) || {}) }), el('td', { text: p.required ? 'yes' : '' })]);
        }))) : null,
    ].concat(op.requestBody ? mediaBlock('Request body', op.requestBody.content['application/json']) : []));
    Object.keys(op.responses || {}).forEach(function (status) {
      var r = op.responses[status];
      var content = r.content || {};
      var type = Object.keys(content)[0];
      body.appendChild(el('h4', { text: 'Response ' + status + ' — ' + (r.description || '') }));
      if (type) mediaBlock(type, content[type]).slice(1).forEach(function (n) { if (n) body.appendChild(n); });
    });
    var details = el('details', { class: 'op', id: op.operationId || (method + path), 'data-search': (method + ' ' + path + ' ' + (op.summary || '') + ' ' + (op['x-permission'] || '')).toLowerCase() }, [
      el('summary', {}, [el('span', { class: 'method ' + method, text: method }), el('span', { class: 'path', text: path }), el('span', { class: 'summary', text: op.summary || '' })]),
      body,
    ]);
    return details;
  }

  function render() {
    document.title = doc.info.title + ' ' + doc.info.version;
    document.getElementById('title').textContent = doc.info.title + ' ' + doc.info.version;
    var description = document.getElementById('description');
    description.textContent = (doc.info.description || '') + ' OpenAPI ' + doc.openapi + ': ';
    description.appendChild(el('a', { href: '/v1/openapi.json', text: '/v1/openapi.json' }));
    var byTag = {};
    var order = [];
    Object.keys(doc.paths).forEach(function (path) {
      Object.keys(doc.paths[path]).forEach(function (method) {
        var op = doc.paths[path][method];
        var tag = (op.tags && op.tags[0]) || 'Other';
        if (!byTag[tag]) { byTag[tag] = []; order.push(tag); }
        byTag[tag].push(operation(path, method, op));
      });
    });
    var nav = document.getElementById('tags');
    var main = document.getElementById('operations');
    order.forEach(function (tag) {
      var id = 'tag-' + tag.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      nav.appendChild(el('a', { href: '#' + id, text: tag + ' (' + byTag[tag].length + ')' }));
      main.appendChild(el('section', { class: 'tag', id: id, 'data-tag': tag }, [el('h2', { text: tag })].concat(byTag[tag])));
    });
    document.getElementById('filter').addEventListener('input', function (e) {
      var q = e.target.value.trim().toLowerCase();
      Array.prototype.forEach.call(document.querySelectorAll('details.op'), function (d) {
        d.hidden = q !== '' && d.getAttribute('data-search').indexOf(q) < 0;
      });
    });
    document.body.setAttribute('data-state', 'ready');
    document.body.setAttribute('data-operations', String(document.querySelectorAll('details.op').length));
  }

  function failed(message) {
    var box = document.getElementById('error');
    box.hidden = false;
    box.textContent = 'The API description could not be shown: ' + message;
    document.body.setAttribute('data-state', 'error');
  }

  fetch('/v1/openapi.json', { headers: { accept: 'application/json' } })
    .then(function (r) {
      if (!r.ok) throw new Error('/v1/openapi.json answered ' + r.status);
      return r.json();
    })
    .then(function (json) { doc = json; render(); })
    .catch(function (e) { failed(e.message); console.error(e); });
})();
`;
