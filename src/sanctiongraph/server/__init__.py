"""Serving: the built graph over HTTP, read-only by default (`sanctiongraph serve`).

`frontend` is the HTTP server and the command: waitress behind `reception`, which gives each request whole one
deadline and bounds the requests served at once (503 beyond them), with `compression` (gzip); `live` follows
the graph folder's current build (live reload); `app` the
WSGI application and its routes (SPARQL Protocol, Graph Store, named queries, linked-data
documents, views, dumps); `negotiation` content negotiation and IRIs under a deployment's base;
`pages` the HTML pages (Jinja2 templates in `templates/`). Queries run in `workers`, sandboxed processes (`sandbox`: no network)
that can be ended at the time limit, each running `jobs` on its store; `federation` refuses any
SERVICE or LOAD before a query runs.
"""
