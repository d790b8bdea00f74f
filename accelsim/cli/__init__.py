"""The ``accelsim`` command line: ``main`` (parser and run/compare/list/mapping/validate), ``plot``,
``sweep`` (sweep and import) and ``common`` (exit codes, output files)."""
