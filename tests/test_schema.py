"""The committed JSON Schema matches the models; `briefgen schema` writes it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from briefgen.cli import main
from briefgen.commands.schema import brief_schema_text
from conftest import REPO

SCHEMA = REPO / "schemas" / "brief.schema.json"


def test_committed_schema_matches_the_models():
    assert SCHEMA.read_text(encoding="utf-8") == brief_schema_text(), (
        "schemas/brief.schema.json is out of date: run `briefgen schema`"
    )


def test_schema_command_writes_a_json_schema(tmp_path):
    out = tmp_path / "s.json"
    result = CliRunner().invoke(main, ["schema", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["additionalProperties"] is False
    assert {"meta", "sources", "positions"} <= set(data["properties"])
    assert data["$defs"]["Position"]["properties"]["stance"]["$ref"].endswith("Stance")


def test_readme_shows_the_editor_completion_comment():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "# yaml-language-server: $schema=" in readme
