"""``briefgen schema``: the JSON Schema of brief files, generated from the models."""

from __future__ import annotations

import json
from pathlib import Path

import click


def brief_schema_text() -> str:
    """The JSON Schema of a brief file, as stable, pretty-printed JSON text."""
    from briefgen.brief.models import Brief

    schema = Brief.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://briefgen.invalid/schemas/brief.schema.json"
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


@click.command("schema")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=Path("schemas/brief.schema.json"), show_default=True,
              help="Where to write the schema; '-' prints it.")
def schema(output: Path) -> None:
    """Write the JSON Schema of brief files, generated from the models.

    Point your editor at it for completion and checking while you type; in a
    YAML file, the first line

    \b
      # yaml-language-server: $schema=../../schemas/brief.schema.json

    does it for editors that use the YAML language server (VS Code, Neovim, …).

    \b
    Example:
      briefgen schema -o schemas/brief.schema.json
    """
    from briefgen.fileio import write_text_atomic

    text = brief_schema_text()
    if str(output) == "-":
        click.echo(text, nl=False)
        return
    write_text_atomic(output, text)
    click.echo(f"wrote {output}")
