"""One module per page: `layout(...)` builds it, `register(app, services)` wires its callbacks."""
