"""Seed data: the records of the 12 September 2019 article, loaded through the services."""
