"""The WSGI entry point for a production server: ``gunicorn core.wsgi:app``.

Configuration comes from the environment (see the README); the app is made ready to serve
(:func:`core.app.ready_to_serve`) once per process.
"""

from core.app import create_app, ready_to_serve

app = ready_to_serve(create_app())
