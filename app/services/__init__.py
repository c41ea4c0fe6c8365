"""Business logic, one module per resource; importing the package installs the history hooks."""

from app.services import history as history
