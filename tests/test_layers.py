"""The layers of quotetrack/ hold: ``lint-imports`` checks the contracts of
``[tool.importlinter]`` in pyproject.toml (the order of the layers, the site never
importing the extraction or the ingest, no import cycles inside a package)."""
import subprocess
import sys

from conftest import ROOT

LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_import_contracts_are_kept():
    # the console script `lint-imports`, run by this interpreter (the venv's, whatever PATH says)
    result = subprocess.run([sys.executable, "-c", LINT_IMPORTS, "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout
