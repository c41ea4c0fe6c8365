"""Units of work, one module per resource; each public function commits once."""
