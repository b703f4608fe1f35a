"""A source whose text states no title: the draft marks the title it made from the file name, and
the built brief describes the source by its file instead of presenting that made-up title as real."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pdfplumber
import yaml
from click.testing import CliRunner

from briefgen.cli import main

# no headline, byline or date: nothing in the text is a title
UNTITLED = """Norwegian Foreign Minister Karl Brenner said on Monday that a border mission should be deployed.
“We support the proposal to deploy monitors along the border,” Brenner told reporters.
However, Chilean Prime Minister Olga Marsh has rejected the plan to deploy monitors.
“Monitors without a UN mandate would be unacceptable,” the prime minister said.
The monitors could be attacked if fighting resumes, which would be a serious threat to the ceasefire.
It is still unclear who would pay for the mission.
"""
FILE = "ministers-weigh-a-border-mission.txt"
MADE_UP = "ministers weigh a border mission"


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if re.fullmatch(r"word/(document|footnotes|endnotes)\.xml", n)]
        xml = " ".join(package.read(n).decode("utf-8") for n in parts)
    return re.sub(r"\s+", " ", "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)))


def _pdf_text(data: bytes) -> str:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in pdf.pages))


def test_a_drafted_untitled_source_is_described_by_its_file_in_every_output(tmp_path: Path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / FILE).write_text(UNTITLED, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(sources), "-o", str(out), "-f", "docx", "-f", "pdf", "-f", "md"])
    assert result.exit_code == 0, result.output

    source = yaml.safe_load((out / "brief.yaml").read_text(encoding="utf-8"))["sources"][0]
    assert source["title"].lower() == MADE_UP and source["title_from_file_name"] is True

    texts = {
        "docx": _docx_text((out / "out.docx").read_bytes()),
        "pdf": _pdf_text((out / "out.pdf").read_bytes()),
        "md": (out / "out.md").read_text(encoding="utf-8"),
    }
    for fmt, text in texts.items():
        assert f"(file {FILE})" in text, fmt  # the notes name the file the source was read from
        # the made-up title is printed nowhere, neither quoted as a title nor bare
        assert MADE_UP not in text.lower(), fmt
