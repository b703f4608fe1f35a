"""Start-up: the command line's own process skips pydantic's plugin lookup, a library user keeps it; the version is static."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "inputs" / "ukraine-security-guarantees" / "brief.yaml"

PLUGIN = '''\
import os
from pathlib import Path

Path(os.environ["PROBE_MARKER"]).write_text("loaded", encoding="utf-8")


class Plugin:
    def new_schema_validator(self, schema, schema_type, schema_type_path, schema_kind, config, settings):
        return None, None, None


plugin = Plugin()
'''


@pytest.fixture
def plugin_env(tmp_path):
    """An environment with a real pydantic plugin installed (an entry point in the ``pydantic`` group)."""
    site = tmp_path / "site"
    dist = site / "probe_plugin-1.0.dist-info"
    dist.mkdir(parents=True)
    (site / "probe_plugin.py").write_text(PLUGIN, encoding="utf-8")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: probe-plugin\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pydantic]\nprobe = probe_plugin:plugin\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [env.get("PYTHONPATH")])])
    env["PROBE_MARKER"] = str(tmp_path / "marker")
    return env, tmp_path / "marker"


def test_the_plugin_probe_is_loaded_by_pydantic_itself(plugin_env):
    env, marker = plugin_env
    probe = "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)\n"
    subprocess.run([sys.executable, "-c", probe], env=env, check=True)
    assert marker.read_text(encoding="utf-8") == "loaded"


def test_the_briefgen_program_does_not_look_up_pydantic_plugins(plugin_env):
    env, marker = plugin_env
    run = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(EXAMPLE)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stdout and not marker.exists()


def test_a_plugin_setting_of_the_user_is_kept_by_the_program(plugin_env):
    env, marker = plugin_env
    env["PYDANTIC_DISABLE_PLUGINS"] = "some-other-plugin"  # disables another plugin only: the probe loads
    run = subprocess.run([sys.executable, "-m", "briefgen", "validate", str(EXAMPLE)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert marker.read_text(encoding="utf-8") == "loaded"


def test_a_program_using_briefgen_as_a_library_keeps_its_pydantic_plugins(plugin_env):
    env, marker = plugin_env
    probe = ("import os, briefgen, briefgen.cli\n"
             f"briefgen.load({str(EXAMPLE)!r})\n"
             "print(os.environ.get('PYDANTIC_DISABLE_PLUGINS'))\n")
    run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "None" and marker.read_text(encoding="utf-8") == "loaded"


def test_version_is_the_installed_version_without_reading_package_metadata():
    probe = ("import sys\n"
             "from briefgen.cli import run\n"
             "sys.argv = ['briefgen', '--version']\n"
             "try:\n    run()\nexcept SystemExit:\n    pass\n"
             "print('importlib.metadata' in sys.modules, file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == f"briefgen, version {importlib.metadata.version('briefgen')}"
    assert run.stderr.strip() == "False"
