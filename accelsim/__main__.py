"""``python -m accelsim`` runs the command line."""

from .cli.main import main

raise SystemExit(main())
