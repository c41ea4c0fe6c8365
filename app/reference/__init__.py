"""Reference tables (country and CAMEO codes) written by the project from public standards."""
