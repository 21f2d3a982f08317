#!/usr/bin/env python3
"""Fails when the packages disagree about what they are.

One version for every artefact: the Cargo workspace's `[workspace.package] version`. maturin
gives it to both wheels (pyproject `dynamic = ["version"]`); everything that states a version by
hand must equal it: `python/cadenya/_version.py`, `node/package.json`, its optionalDependencies
and every platform package under `node/npm/`. The optionalDependencies name exactly the napi
targets. Every package states the API version of `spec/openapi.yaml` (`info.version`), the
licence copies shipped inside the packages equal `LICENSE`, and `CHANGELOG.md` has a section
for the version. With `--tag vX.Y.Z` the tag must name the same version (release pipeline).

Usage: scripts/check-package-metadata.py [--tag vX.Y.Z]
       scripts/check-package-metadata.py --version     prints the workspace version (for scripts)
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
errors: list[str] = []


def read(rel: str) -> str:
    return (ROOT / rel).read_text(encoding="utf-8")


def expect(what: str, got: object, want: object) -> None:
    if got != want:
        errors.append(f"{what}: {got!r}, expected {want!r}")


def toml_section(text: str, section: str) -> str:
    match = re.search(rf"^\[{re.escape(section)}\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    return match.group(1) if match else ""


def toml_string(body: str, key: str) -> "str | None":
    match = re.search(rf'^{re.escape(key)}\s*=\s*"([^"]*)"', body, re.M)
    return match.group(1) if match else None


# napi-rs's platform names for the Rust target triples of `napi.targets`.
def napi_platform(triple: str) -> str:
    arch, _, rest = triple.partition("-")
    arch = {"x86_64": "x64", "aarch64": "arm64", "i686": "ia32"}.get(arch, arch)
    if "apple-darwin" in rest:
        return f"darwin-{arch}"
    if "windows-msvc" in rest:
        return f"win32-{arch}-msvc"
    if "linux-musl" in rest:
        return f"linux-{arch}-musl"
    if "linux-gnu" in rest:
        return f"linux-{arch}-gnu"
    raise ValueError(f"unknown napi target {triple}")


def main() -> int:
    tag = sys.argv[sys.argv.index("--tag") + 1] if "--tag" in sys.argv else None

    version = toml_string(toml_section(read("Cargo.toml"), "workspace.package"), "version")
    if not version:
        print("Cargo.toml: no [workspace.package] version", file=sys.stderr)
        return 1
    if "--version" in sys.argv:
        print(version)
        return 0
    if tag is not None:
        expect("release tag", tag, f"v{version}")

    for crate in ("bindings/python", "bindings/node", "bindings/uniffi", "server", "cli", "core"):
        body = toml_section(read(f"{crate}/Cargo.toml"), "package")
        if not re.search(r"^version\.workspace\s*=\s*true", body, re.M):
            errors.append(f"{crate}/Cargo.toml: version must be `version.workspace = true`")

    for pyproject in ("python/pyproject.toml", "server/pyproject.toml", "cli/pyproject.toml"):
        project = toml_section(read(pyproject), "project")
        if toml_string(project, "version") is not None:
            errors.append(f"{pyproject}: a static version; use dynamic = [\"version\"] (maturin reads Cargo)")
        if not re.search(r'^dynamic\s*=\s*\[[^\]]*"version"', project, re.M):
            errors.append(f"{pyproject}: missing dynamic = [\"version\"]")

    expect("python/cadenya/_version.py __version__",
           toml_string(read("python/cadenya/_version.py"), "__version__"), version)

    node = json.loads(read("node/package.json"))
    expect("node/package.json version", node.get("version"), version)
    platforms = sorted(napi_platform(t) for t in node.get("napi", {}).get("targets", []))
    if not platforms:
        errors.append("node/package.json: napi.targets is empty")
    optional = node.get("optionalDependencies", {})
    expect("node/package.json optionalDependencies",
           sorted(optional), sorted(f"{node['name']}-{p}" for p in platforms))
    for name, spec in optional.items():
        expect(f"node/package.json optionalDependencies[{name}]", spec, version)
    npm_dirs = sorted(p.name for p in (ROOT / "node/npm").iterdir() if p.is_dir())
    expect("node/npm/ platform packages", npm_dirs, platforms)
    for platform in npm_dirs:
        manifest = json.loads(read(f"node/npm/{platform}/package.json"))
        expect(f"node/npm/{platform}/package.json name", manifest.get("name"), f"{node['name']}-{platform}")
        expect(f"node/npm/{platform}/package.json version", manifest.get("version"), version)
        expect(f"node/npm/{platform}/package.json main",
               manifest.get("main"), f"{node['napi']['binaryName']}.{platform}.node")

    api = re.search(r"^info:\n(?:[ \t]+.*\n)*?[ \t]+version:\s*([^\s]+)", read("spec/openapi.yaml"), re.M)
    api_version = api.group(1).strip("'\"") if api else None
    expect("python API_VERSION (cadenya/types.py)",
           toml_string(read("python/cadenya/types.py"), "API_VERSION"), api_version)
    node_api = re.search(r"^const API_VERSION = '([^']*)'", read("node/lib/resources.js"), re.M)
    expect("node API_VERSION (lib/resources.js)", node_api.group(1) if node_api else None, api_version)
    if "API_VERSION" not in read("python/cadenya/__init__.py"):
        errors.append("python/cadenya/__init__.py does not export API_VERSION")

    licence = read("LICENSE")
    if "Apache License" not in licence or "Version 2.0" not in licence:
        errors.append("LICENSE is not the Apache-2.0 text")
    for copy in ("python/LICENSE", "node/LICENSE"):
        if read(copy) != licence:
            errors.append(f"{copy} differs from LICENSE")

    if not re.search(rf"^## \[?{re.escape(version)}\]?", read("CHANGELOG.md"), re.M):
        errors.append(f"CHANGELOG.md has no section for {version}")

    for error in errors:
        print(f"package metadata: {error}", file=sys.stderr)
    if not errors:
        print(f"package metadata: ok (version {version}, API {api_version}, {len(platforms)} Node platforms)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
