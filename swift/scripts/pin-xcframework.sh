#!/usr/bin/env bash
# Points the root Package.swift at a released CadenyaFFI.xcframework.zip, for the commit a release
# tag names (SwiftPM reads the manifest of the tag). The release workflow runs it after uploading
# the zip that swift/scripts/build-xcframework.sh made:
#
#   swift/scripts/pin-xcframework.sh https://github.com/<owner>/<repo>/releases/download/v<version>/CadenyaFFI.xcframework.zip <checksum>
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $# -ne 2 || ! $1 =~ ^https://[^\"]+\.zip$ || ! $2 =~ ^[0-9a-f]{64}$ ]]; then
  echo "usage: $0 https://.../CadenyaFFI.xcframework.zip <64 hex checksum>" >&2
  exit 2
fi
python3 - "$1" "$2" <<'PY'
import re, sys
url, checksum = sys.argv[1], sys.argv[2]
text = open("Package.swift", encoding="utf-8").read()
text, n1 = re.subn(r'^let xcframeworkURL = ".*"$', f'let xcframeworkURL = "{url}"', text, flags=re.M)
text, n2 = re.subn(r'^let xcframeworkChecksum = ".*"$', f'let xcframeworkChecksum = "{checksum}"', text, flags=re.M)
if (n1, n2) != (1, 1):
    sys.exit("Package.swift: expected one `let xcframeworkURL` and one `let xcframeworkChecksum` line")
open("Package.swift", "w", encoding="utf-8").write(text)
PY
echo "Package.swift now uses $1"
