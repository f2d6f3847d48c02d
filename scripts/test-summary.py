#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Add up the results of meson test (testlog.json) and pytest (JUnit XML) runs.

Usage: test-summary.py BUILDDIR... ; prints one closing line
"summary: N passed, N failed, N skipped" and exits 1 if anything failed.
"""
import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

passed = failed = skipped = 0
for build in map(Path, sys.argv[1:]):
    log = build / "meson-logs" / "testlog.json"
    if log.exists():
        for line in log.read_text().splitlines():
            result = json.loads(line).get("result")
            if result in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif result == "SKIP":
                skipped += 1
            else:
                failed += 1
    for xml in sorted(build.glob("pytest-*.xml")):
        root = ET.parse(xml).getroot()
        suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
        for s in suites:
            total = int(s.get("tests", 0))
            bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
            skip = int(s.get("skipped", 0))
            failed += bad
            skipped += skip
            passed += total - bad - skip
print(f"summary: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
