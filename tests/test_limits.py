"""Hostile inputs are refused quickly and without exhausting memory."""

from __future__ import annotations

import resource
import zipfile

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import InputError
from briefgen.limits import check_zip


def _bomb(path, size=300 * 1024 * 1024):
    """A .docx-named zip whose one part inflates to ``size`` bytes of zeros (about 300 KB on disk)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                fh.write(chunk)
    return path


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    return _bomb(tmp_path_factory.mktemp("bomb") / "bomb.docx")


def test_zip_bomb_is_refused_by_its_directory(bomb):
    with pytest.raises(InputError, match="would expand to 315 MB.*zip bomb"):
        check_zip(bomb, "reference document")


def test_ratio_bomb_under_the_total_limit_is_refused(tmp_path):
    small = _bomb(tmp_path / "small.docx", size=40 * 1024 * 1024)
    with pytest.raises(InputError, match=r"part, word/document.xml, that expands [\d,]+× to 42 MB"):
        check_zip(small, "reference document")


def test_not_a_zip_is_named(tmp_path):
    (tmp_path / "x.docx").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match=r"reference document .*x\.docx is not a readable \.docx"):
        check_zip(tmp_path / "x.docx", "reference document")


def test_build_refuses_a_zip_bomb_reference_quickly_and_writes_nothing(brief_dir, bomb):
    out = brief_dir / "out"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = CliRunner().invoke(main, ["build", str(brief_dir / "brief.yaml"), "-o", str(out),
                                       "--reference-docx", str(bomb), "-f", "docx"])
    assert result.exit_code == 1 and "zip bomb" in result.output, result.output
    assert not out.exists()
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100


def test_a_zip_bomb_source_is_refused_by_the_reader(bomb):
    from briefgen.sources.readers import SourceReadError, read_source

    with pytest.raises(SourceReadError, match=r"bomb\.docx.*zip bomb"):
        read_source(bomb)


_LAUGHS = "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 9) if p else ', '.join(['x'] * 9)}]\n"
                  for p, n in zip(["", "a", "b", "c", "d", "e", "f"], "abcdefg"))  # 9**7 values once expanded


@pytest.mark.parametrize("where", ["front matter", "sources.yaml", "gazetteer"])
def test_draft_refuses_a_yaml_alias_bomb_in_any_yaml_it_reads_quickly(tmp_path, where):
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    text = "Officials met in Brussels on Monday. The minister said the force could deploy in spring.\n"
    (src / "a.md").write_text(f"---\n{_LAUGHS}title: *g\n---\n{text}" if where == "front matter" else text,
                              encoding="utf-8")
    args = [sys.executable, "-m", "briefgen", "draft", str(src), "-o", str(tmp_path / "new.yaml"), "-q"]
    if where == "sources.yaml":
        (src / "sources.yaml").write_text(f"{_LAUGHS}a.md: {{title: *g}}\n", encoding="utf-8")
    if where == "gazetteer":
        (tmp_path / "gz.yaml").write_text(f"{_LAUGHS}states: *g\n", encoding="utf-8")
        args += ["--gazetteer", str(tmp_path / "gz.yaml")]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "uses a YAML alias" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "new.yaml").exists()


def _png(path, width, height, idat=None):
    """A greyscale PNG of zeros (or with the given image data, to make a damaged one)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)
    if idat is None:
        idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def _template_with_logo(tmp_path, logo):
    folder = tmp_path / "tpl"
    result = CliRunner().invoke(main, ["templates", "init", str(folder), "--from", "policy-brief"])
    assert result.exit_code == 0, result.output
    (folder / "assets").mkdir(exist_ok=True)
    (folder / "assets" / "logo.png").write_bytes(logo.read_bytes())
    toml = folder / "template.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('# logo = "assets/logo.png"', 'logo = "assets/logo.png"'),
                    encoding="utf-8")
    return folder


@pytest.mark.parametrize("side", [20_000, 12_000])  # above and below Pillow's own bomb limit (179 Mpx)
def test_a_decompression_bomb_logo_is_refused_before_decoding(brief_dir, tmp_path, side):
    bomb = _png(tmp_path / "bomb.png", side, side)
    assert bomb.stat().st_size < 500_000
    folder = _template_with_logo(tmp_path, bomb)
    out = brief_dir / "out"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = CliRunner().invoke(main, ["build", str(brief_dir / "brief.yaml"), "-o", str(out),
                                       "--template", str(folder)])
    assert result.exit_code == 1, result.output
    assert f"logo 'assets/logo.png' is {side:,} × {side:,} pixels; refusing more than 25 million" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024 < 100


def test_writers_given_a_bomb_or_damaged_logo_directly_refuse_it_clearly(tmp_path):
    from briefgen import outline as o
    from briefgen.writers import RenderOptions
    from briefgen.writers.docx import writer as docx_writer
    from briefgen.writers.pdf import writer as pdf_writer

    doc = o.Document(o.DocMeta(title="T"), [o.Para([o.T("x")])])
    bomb = _png(tmp_path / "bomb.png", 20_000, 20_000)
    damaged = _png(tmp_path / "damaged.png", 400, 400, idat=b"not zlib data" * 10)  # a sound header only
    for writer in (docx_writer, pdf_writer):
        with pytest.raises(InputError, match=r"bomb\.png is 20,000 × 20,000 pixels"):
            writer.write(doc, RenderOptions(logo=bomb))
    with pytest.raises(InputError, match=r"logo .*damaged\.png is unreadable \(a damaged image"):
        pdf_writer.write(doc, RenderOptions(logo=damaged))


_DEEP = "[" * 50_000 + "]" * 50_000  # deeper than Python's stack: recursive parsers overflow


def _run_fails(args, env=None):
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.output


def test_deeply_nested_json_brief_is_refused_at_the_place_it_goes_too_deep(tmp_path):
    path = tmp_path / "brief.json"
    path.write_text('{"meta": ' + _DEEP + "}", encoding="utf-8")
    assert "brief.json:1:74: error: is nested more than 64 levels deep" in _run_fails(["validate", str(path)])


def test_deeply_nested_or_huge_template_toml_is_refused(brief_dir, tmp_path):
    folder = tmp_path / "tpl"
    folder.mkdir()
    toml = folder / "template.toml"
    args = ["build", str(brief_dir / "brief.yaml"), "-o", str(brief_dir / "out"), "--template", str(folder)]
    toml.write_text(f'name = "x"\na = {_DEEP}\n', encoding="utf-8")
    assert "template.toml: not valid TOML: arrays or tables nested too deeply" in _run_fails(args)
    toml.write_text('name = "x"\n' + "# padding\n" * 200_000, encoding="utf-8")
    assert "template.toml: is larger than 1 MB" in _run_fails(args)
    assert not (brief_dir / "out").exists()


def test_deeply_nested_or_huge_config_file_is_refused(brief_dir, tmp_path):
    cfg = tmp_path / "cfg.toml"
    args = ["email", str(brief_dir / "brief.yaml"), "--to", "b@example.org", "--from", "a@example.org",
            "-o", str(tmp_path / "m.eml")]
    cfg.write_text(f"[smtp]\nx = {_DEEP}\n", encoding="utf-8")
    assert "cfg.toml: arrays or tables nested too deeply" in _run_fails(args, env={"BRIEFGEN_CONFIG": str(cfg)})
    cfg.write_text("# padding\n" * 200_000, encoding="utf-8")
    assert "cfg.toml is larger than 1 MB" in _run_fails(args, env={"BRIEFGEN_CONFIG": str(cfg)})
    assert not (tmp_path / "m.eml").exists()
