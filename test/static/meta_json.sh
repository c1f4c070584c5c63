#!/usr/bin/env bash
# META.json is valid against PGXN's META spec 1.0.0: the JSON schemas of
# pgxn/meta (schema/v1, commit 53f43ea of 2025-05-31, PostgreSQL License,
# kept in test/static/pgxn-meta-v1/) checked with Debian's python3-jsonschema;
# their patterns use \p{...} and [[:digit:]], which Python's re lacks, so they
# are matched with python3-regex. And it names the version promo.control
# installs.
set -euo pipefail
cd "$(dirname "$0")/../.."
/usr/bin/python3 - <<'PY'
import json, pathlib, re, sys
import jsonschema
import jsonschema._validators
import regex

schemas = {}
for path in pathlib.Path("test/static/pgxn-meta-v1").glob("*.schema.json"):
    schema = json.loads(path.read_text())
    schemas[schema["$id"]] = schema
root = schemas["https://pgxn.org/meta/v1/distribution.schema.json"]
resolver = jsonschema.RefResolver.from_schema(root, store=schemas)
jsonschema._validators.re = regex  # pattern and patternProperties
validator = jsonschema.Draft202012Validator(root, resolver=resolver,
                                            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
meta = json.loads(pathlib.Path("META.json").read_text())
errors = sorted(validator.iter_errors(meta), key=lambda e: list(e.path))
for error in errors:
    print("META.json:", "/".join(map(str, error.path)) or "(top)", error.message)
control = pathlib.Path("extension/promo.control").read_text()
installed = re.search(r"default_version = '([^']+)'", control).group(1)
if meta["provides"]["promo"]["version"] != installed or meta["version"] != installed:
    print(f"META.json names {meta['version']} / {meta['provides']['promo']['version']}; promo.control installs {installed}")
    errors.append("version")
if not pathlib.Path(meta["provides"]["promo"]["file"]).is_file():
    print("META.json: provides/promo/file", meta["provides"]["promo"]["file"], "does not exist")
    errors.append("file")
if errors:
    sys.exit(1)
print(f"META.json is valid against PGXN META spec 1.0.0 (promo {installed})")
PY
