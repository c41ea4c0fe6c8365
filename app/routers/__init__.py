"""HTTP handlers, one module per resource; each handler calls one service function."""
