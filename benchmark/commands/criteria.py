"""``benchmark criteria check FILE`` and ``benchmark criteria docs [--criteria FILE] [--lang] [-o FILE.md]``."""

from __future__ import annotations

import argparse


def add_parser(sub) -> None:
    parser = sub.add_parser("criteria", help="check a criteria catalogue or write it out for leaders",
                            description="Work with criteria catalogues (TOML).")
    inner = parser.add_subparsers(dest="criteria_command", metavar="SUBCOMMAND")
    check = inner.add_parser("check", help="validate a catalogue", description="Validate a criteria catalogue: "
                             "every problem (file, criterion, field, what is wrong) is listed; exit 1 if any.")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=run_check)
    docs = inner.add_parser("docs", help="write the catalogue as Markdown for leaders",
                            description="Write a readable catalogue (what each criterion measures, the formula in "
                            "words, direction, target, data columns, how potential is computed).")
    docs.add_argument("--criteria", default=None, help="catalogue (default criteria/default.toml)")
    docs.add_argument("--lang", default="nb", choices=("nb", "en"))
    docs.add_argument("-o", "--output", default=None, help="FILE.md (default: print to standard output)")
    docs.set_defaults(handler=run_docs)
    parser.set_defaults(handler=lambda args: (parser.print_help(), 2)[1])


def run_check(args: argparse.Namespace) -> int:
    import sys

    from benchmark.catalogue import check_criteria
    from benchmark.issues import render_report

    cat, issues = check_criteria(args.file)
    if cat is None:
        print(render_report(issues, title=f"{args.file}: {len(issues)} problem(s) found."), file=sys.stderr)
        return 1
    print(f"{args.file}: valid. Version {cat.version}, {len(cat.criteria)} criteria, hash {cat.hash()[:12]}.")
    return 0


def run_docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from benchmark.catalogue import default_catalogue_path, load_criteria
    from benchmark.catalogue.docs import catalogue_markdown

    cat = load_criteria(args.criteria or default_catalogue_path())
    if not args.output:
        print(catalogue_markdown(cat, args.lang), end="")
        return 0
    path = Path(args.output)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(catalogue_markdown(cat, args.lang), encoding="utf-8")
    tmp.replace(path)
    print(f"Wrote {path} (catalogue {cat.version}, {args.lang})")
    return 0
