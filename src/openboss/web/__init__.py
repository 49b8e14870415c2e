"""The operator console: server-rendered pages under ``/console``.

Jinja2 templates with htmx for partial updates and Alpine.js for small
client-side state, styled with Bootstrap; every asset is bundled by npm and
esbuild into ``web/static/dist`` at install time and served by OpenBOSS
itself (no CDN). Texts are translated with Babel catalogs (``zh_CN``, ``en``).

* :mod:`openboss.web.shell` — signed-in person, language, rendering, error pages
* :mod:`openboss.web.nav` — the navigation registry domains add their screens to
* :mod:`openboss.web.i18n` — catalogs, locale negotiation, local time formatting
* :mod:`openboss.web.csrf` — tokens protecting the console's form posts
* :mod:`openboss.web.routes`, :mod:`openboss.web.admin` — the shell's own pages
* :mod:`openboss.web.jobs`, :mod:`openboss.web.deadletters` — the worker's queue and
  its dead letters, for administrators
* :mod:`openboss.web.build` — ``python -m openboss.web.build`` builds assets and catalogs
"""
