"""geoevents: a REST API for geopolitical event records."""
