"""The `geoevents` command: one module per command group, assembled in `app.cli.main`."""
