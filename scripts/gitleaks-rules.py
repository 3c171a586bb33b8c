#!/usr/bin/env python3
"""Converts gitleaks' default rule file (config/gitleaks.toml, MIT licence) into the JSON data the redactor reads.

Usage: python3 scripts/gitleaks-rules.py path/to/gitleaks.toml <commit> > src/domain/core/secret-rules/gitleaks.json
       then `npx prettier --write src/domain/core/secret-rules/gitleaks.json`.

The rules are data, kept as gitleaks publishes them, so updating is re-running this script on a newer file. Go's RE2
syntax is rewritten to JavaScript's: inline `(?i)` anywhere becomes the `i` flag for the whole pattern (JavaScript
before ES2025 has no inline modifiers; case-insensitivity only widens a vendor-prefixed token rule, which errs on the
side of redacting), `(?-i:…)`/`(?i:…)`/`(?s:…)` become plain groups (with the flag), POSIX classes are spelled out,
`\\z`/`\\A` become `$`/`^`. Path-only allowlists are dropped (free text has no path).
"""

import json
import re
import sys
import tomllib


def to_js(pattern: str) -> dict:
    flags = set()
    src = pattern
    if "(?i)" in src:
        flags.add("i")
        src = src.replace("(?i)", "")
    if "(?s)" in src:
        flags.add("s")
        src = src.replace("(?s)", "")
    if "(?i:" in src:
        flags.add("i")
        src = src.replace("(?i:", "(?:")
    if "(?s:" in src:
        flags.add("s")
        src = src.replace("(?s:", "(?:")
    src = src.replace("(?-i:", "(?:")
    src = src.replace("[[:alnum:]]", "[0-9A-Za-z]").replace("[:alnum:]", "0-9A-Za-z")
    src = src.replace("\\z", "$").replace("\\A", "^")
    src = src.replace("(?P<", "(?<")
    if re.search(r"\(\?[a-zA-Z-]+[:)]", src.replace("(?:", "").replace("(?=", "").replace("(?!", "")):
        raise ValueError(f"unconverted inline flag in {pattern}")
    return {"source": src, "flags": "".join(sorted(flags))}


def allowlist(entry: dict) -> dict | None:
    if entry.get("paths") and entry.get("condition") == "AND":
        return None  # needs a path to match, which free text never has
    regexes = [to_js(r) for r in entry.get("regexes", [])]
    stopwords = entry.get("stopwords", [])
    if not regexes and not stopwords:
        return None
    out = {"target": entry.get("regexTarget", "secret"), "regexes": regexes}
    if stopwords:
        out["stopwords"] = [s.lower() for s in stopwords]
    return out


def main() -> None:
    path, commit = sys.argv[1], sys.argv[2]
    with open(path, "rb") as f:
        config = tomllib.load(f)
    rules = []
    for rule in config["rules"]:
        if "regex" not in rule:
            continue  # path-only rules (e.g. pkcs12-file) say nothing about text
        out = {"id": rule["id"], **to_js(rule["regex"]), "keywords": [k.lower() for k in rule.get("keywords", [])]}
        if "entropy" in rule:
            out["entropy"] = rule["entropy"]
        if "secretGroup" in rule:
            out["secretGroup"] = rule["secretGroup"]
        lists = [a for a in (allowlist(e) for e in rule.get("allowlists", [])) if a]
        if lists:
            out["allowlists"] = lists
        rules.append(out)
    glob = config.get("allowlist", {})
    data = {
        "source": "https://github.com/gitleaks/gitleaks/blob/" + commit + "/config/gitleaks.toml",
        "license": "MIT, Copyright (c) 2019 Zachary Rice; see src/domain/core/secret-rules/LICENSE.gitleaks",
        "generatedBy": "scripts/gitleaks-rules.py",
        "global": {
            "regexes": [to_js(r) for r in glob.get("regexes", [])],
            "stopwords": [s.lower() for s in glob.get("stopwords", [])],
        },
        "rules": rules,
    }
    json.dump(data, sys.stdout, indent=2)
    sys.stdout.write("\n")


main()
