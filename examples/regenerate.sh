#!/usr/bin/env bash
# Rebuild everything under examples/ from inputs/ (the tests fail when these drift from the example brief).
set -euo pipefail
cd "$(dirname "$0")/.."
brief=inputs/ukraine-security-guarantees/brief.yaml
ex=examples/ukraine-security-guarantees

briefgen build "$brief" -o "$ex"
for t in policy-brief one-pager decision-memo; do
  briefgen build "$brief" --template "$t" -o "$ex/templates/$t" -f docx -f pdf
done
# page previews for the README (poppler-utils)
pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$ex/ukraine-security-guarantees.pdf" "$ex/ukraine-security-guarantees-page1"
pdftoppm -r 60 -png -f 2 -l 2 -singlefile "$ex/ukraine-security-guarantees.pdf" "$ex/ukraine-security-guarantees-page2"
for t in one-pager decision-memo; do
  pdftoppm -r 60 -png -f 1 -l 1 -singlefile "$ex/templates/$t/ukraine-security-guarantees.pdf" "$ex/templates/$t/$t-page1"
done
# the example message attaches the Word and PDF files built above
BRIEFGEN_REGENERATE_EXAMPLES=1 python -m pytest -q -p no:warnings tests/test_email_cli.py -k "example_message_parses"
