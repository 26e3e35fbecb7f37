#!/usr/bin/env python3
"""Copies into infra/terraform/files/ what the module reads: the role policies and trust documents, the default gate
rules and duties, the dashboard. Terraform copies a module given by a local path, a registry or an archive without
its surroundings, so the module may read nothing outside its folder. policies/ and infra/dashboard/ stay the single
source: `make tf-files` refreshes the copies, `--check` (run by make test) fails when they differ.
"""
import filecmp
import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCES = sorted((ROOT / "policies" / "roles").glob("*.json")) + [
    ROOT / "policies" / "gate.toml",
    ROOT / "policies" / "duties.toml",
    ROOT / "infra" / "dashboard" / "dashboard.json",
]


def target(source: pathlib.Path) -> pathlib.Path:
    return HERE / "files" / ("roles" if source.parent.name == "roles" else "") / source.name


def main() -> int:
    check = "--check" in sys.argv[1:]
    stale = [s for s in SOURCES if not target(s).exists() or not filecmp.cmp(s, target(s), shallow=False)]
    wanted = {target(s) for s in SOURCES}
    extra = [p for p in (HERE / "files").rglob("*") if p.is_file() and p not in wanted]
    if check:
        if stale or extra:
            names = [str(s.relative_to(ROOT)) for s in stale] + [f"{p.relative_to(ROOT)} (no source)" for p in extra]
            print("infra test: infra/terraform/files/ differs from its sources: " + ", ".join(names) + "; run make tf-files")
            return 1
        print(f"infra test: the module's {len(SOURCES)} bundled files match policies/ and infra/dashboard/")
        return 0
    for s in stale:
        target(s).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(s, target(s))
    for p in extra:
        p.unlink()
    print(f"copied {len(stale)}, removed {len(extra)} of the module's {len(SOURCES)} bundled files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
