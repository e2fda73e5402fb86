#!/usr/bin/env bash
# The JSON Schema that `b2bctl schema` prints accepts every example file, and
# rejects what the loader rejects for type reasons (an unknown key, a yes for a
# boolean, a bad enum). Skips (exit 0) when python3 lacks jsonschema or yaml.
set -euo pipefail
: "${B2BCTL:?path to the b2bctl binary}" "${SRC:?source tree}"

if ! python3 -c 'import jsonschema, yaml' 2>/dev/null; then
	echo "skip: python3 modules jsonschema and yaml are not installed"
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$B2BCTL" schema >"$work/schema.json"

python3 - "$work/schema.json" "$SRC" <<'PY'
import datetime, glob, json, os, sys
import jsonschema, yaml

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

class Loader(yaml.SafeLoader):
    pass
# b2bctl reads 2027-03-31 as text, as the YAML language server does
Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                  for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}

files = sorted(glob.glob(os.path.join(sys.argv[2], "examples/config/**/*.yaml"), recursive=True))
assert len(files) == 8, files
for f in files:
    first = open(f).readline().strip()
    rel = os.path.relpath(os.path.join(sys.argv[2], "schema/b2bctl.schema.json"), os.path.dirname(f))
    assert first == "# yaml-language-server: $schema=" + rel, (f, first)
    errors = [e.message for e in validator.iter_errors(yaml.load(open(f), Loader=Loader))]
    assert not errors, (f, errors)

for case in ["unknown-key", "enum-value", "all-or-list", "wrong-types", "lint-levels"]:
    doc = yaml.load(open(os.path.join(sys.argv[2], "tests/invalid", case, "config.yaml")), Loader=Loader)
    assert list(validator.iter_errors(doc)), case + ": the schema accepts it"
print("schema accepts %d example files and rejects 5 invalid cases" % len(files))
PY
