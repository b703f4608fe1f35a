"""Entry point for ``python -m briefgen``."""

from briefgen.cli import run

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    run()
