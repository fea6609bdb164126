"""The `text2table` command: a thin typer app; each sub-module registers its commands and calls library code."""

from __future__ import annotations

import typer

from text2table.cli import data, evaluate, export, infer, schema, train, verify, view

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Documents to tables with language models: convert, prepare, extract, eval, plan, train.")

data.register(app)
evaluate.register(app)
infer.register(app)
train.register(app)
export.register(app)
schema.register(app)
view.register(app)
verify.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
