"""REST API routers, mounted under /api by vigie.app.create_app."""
