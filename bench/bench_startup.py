"""Start-up floors: the example's `validate` and `build -f docx` against what any process on their path must import.

Run:  python bench/bench_startup.py [--repeat 9]

Every row is a whole process timed in interleaved pairs (A B A B …) against ``briefgen --version``
and, for the Word rows, against pandoc turning the same brief's Markdown into .docx; the ratios are
taken pair by pair (medians, min–max). The floor rows import, and do, only part of the work:

- ``import click``: what ``--version`` and ``--help`` need;
- ``from pydantic import BaseModel`` and the pydantic floor, the least any pydantic validation of a YAML brief behind
  a click command line costs: click, PyYAML and one one-field pydantic model built and validated;
- the brief models built: the same with briefgen's own models and the brief's schema built;
- the import floor of each command: exactly the modules the command imports (``timing.import_floor``).

Floors run with pydantic's plugin lookup off, as the ``briefgen`` program runs. The start-up targets
(``validate`` <= 2x ``--version``, ``build -f docx`` <= 1x pandoc) are judged in ``bench/run.py``;
this prints where they stand against their floors.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_docx import EXAMPLE, build_cmd, compile_bytecode  # noqa: E402
from timing import Stat, import_floor, pair_ratios, pairs  # noqa: E402

_QUIET = "import os\nos.environ['PYDANTIC_DISABLE_PLUGINS'] = '__all__'\n"
PYDANTIC_FLOOR = _QUIET + (
    "import click, yaml\n"
    "from pydantic import BaseModel, Field\n"
    "class One(BaseModel):\n"
    "    name: str = Field(pattern='^[a-z]+$')\n"
    "One.model_validate(yaml.load('name: abc', Loader=yaml.CSafeLoader))\n"
)
MODELS = _QUIET + "import click, yaml\nimport briefgen.brief.models as m\nm.Brief.model_rebuild()\n"


def main(argv: list[str] | None = None) -> int:
    """Time every row against --version (and the Word rows against pandoc); print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9, help="interleaved pairs per row (default 9)")
    args = ap.parse_args(argv)
    py = sys.executable
    print(compile_bytecode())
    version = [py, "-m", "briefgen", "--version"]
    pandoc = shutil.which("pandoc")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        validate = [py, "-m", "briefgen", "validate", str(EXAMPLE)]
        docx = build_cmd(EXAMPLE, tmp_path / "out", "docx")
        rows = [
            ("python -c pass", [py, "-c", "pass"], False),
            ("import click", [py, "-c", "import click"], False),
            ("briefgen --help", [py, "-m", "briefgen", "--help"], False),
            ("import pydantic.BaseModel", [py, "-c", _QUIET + "from pydantic import BaseModel"], False),
            ("pydantic floor (click, yaml, 1 model)", [py, "-c", PYDANTIC_FLOOR], True),
            ("brief models built (click, yaml)", [py, "-c", MODELS], True),
            ("validate: its import floor", import_floor(validate, tmp_path / "floors"), False),
            ("validate the example", validate, False),
            ("build -f docx: its import floor", import_floor(docx, tmp_path / "floors"), True),
            ("build -f docx, the example", docx, True),
        ]
        theirs = None
        if pandoc:
            subprocess.run(build_cmd(EXAMPLE, tmp_path / "md", "md"), check=True, capture_output=True)
            md = next((tmp_path / "md").glob("*.md"))
            theirs = [pandoc, "-f", "markdown", "-t", "docx", str(md), "-o", str(tmp_path / "pandoc.docx")]
        print(f"medians (min–max) of {args.repeat} interleaved pairs of whole processes; ratios pair by pair")
        print(f"{'':40} {'time s':>22} {'/ --version':>20} {'/ pandoc':>20}")
        versions: list[float] = []
        for label, cmd, against_pandoc in rows:
            ours, ver = pairs(cmd, version, args.repeat)
            versions += ver
            by_pandoc = "-"
            if against_pandoc and theirs:
                mine, peer = pairs(cmd, theirs, args.repeat)
                by_pandoc = pair_ratios(mine, peer).fmt(".2f")
            print(f"{label:40} {Stat.of(ours).fmt():>22} {pair_ratios(ours, ver).fmt('.2f'):>20} {by_pandoc:>20}")
        print(f"{'briefgen --version':40} {Stat.of(versions).fmt():>22}")
        if theirs:
            _, peer = pairs(theirs, theirs, args.repeat, warm=False)
            print(f"{'pandoc md->docx (same brief)':40} {Stat.of(peer).fmt():>22}")
        else:
            print("pandoc is not installed: no comparison with it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
