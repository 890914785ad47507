"""``mesh serve``: the discovery endpoint — JSON API, server-rendered pages and MCP over one catalog.

The server is thin (docs/serve.md): a supervisor process loads the catalog once (built from the
specs, or a prebuilt file or shard directory), renders every JSON body into bytes, and forks
workers that answer from memory; when the catalog's files change it loads the new catalog and
replaces the workers, so a mesh change needs no restart.

Modules, each with one job:

- ``state``: a loaded catalog evaluated on one day, its pre-rendered bodies and search index;
- ``query``: parsing and applying ``/products`` filters and pagination;
- ``openapi``: the OpenAPI 3.1 document of the routes (true for every response);
- ``pages``: the HTML pages (Jinja2, autoescape on) and ``lineage_svg`` the graph drawn by Graphviz;
- ``agents``: the MCP tools (official ``mcp`` SDK, stateless streamable HTTP at ``/mcp``);
- ``app``: the ASGI application (routing, ETag/304, security headers, JSON errors);
- ``source``: where the catalog comes from and how a change is noticed;
- ``supervisor``: the process model (socket, workers, reload).

This package needs the ``serve`` extra (jinja2, uvicorn, mcp); the core catalog does not.
"""
