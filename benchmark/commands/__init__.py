"""One module per CLI command: ``add_parser(subparsers)`` registers it, ``run(args)`` does it.

Keep imports of pandas and friends inside ``run`` so that ``benchmark --help`` is instant.
"""
