"""All SQL lives in this package: one module per aggregate, returning dataclasses, never raw rows."""
