"""The website: `qabot serve`, an HTTP API, the full-page "Ask the archive", the embeddable
widget (``/widget.js``) and the editors' insights page, thin over ``QAService`` like the bot.

``app.create_app`` builds the ASGI application; routes are split by concern: ``api`` (ask,
search, articles, status, feedback), ``pages`` (the page and the widget), ``insights`` (editors),
``security`` (CORS, CSP, body size, the reader's address, rate limit, admin sessions). Every
piece of state a reader leaves lives in the shared state, so replicas are interchangeable.
"""
