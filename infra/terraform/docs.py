"""The module's inputs and outputs as Markdown tables, generated from the code (our own terraform-docs).

    python infra/terraform/docs.py            # rewrites the tables in infra/terraform/README.md
    python infra/terraform/docs.py --check    # exits 1 when the tables are out of date, or an input or output
                                              # has no description (make test runs this)
"""
import difflib
import glob
import os
import sys

import hcl2

HERE = os.path.dirname(os.path.abspath(__file__))
README = os.path.join(HERE, "README.md")
BEGIN, END = "<!-- BEGIN_TF_DOCS -->", "<!-- END_TF_DOCS -->"


def unquote(value):
    """python-hcl2 keeps HCL's quotes and ${} around expressions; the tables show what the user wrote."""
    if isinstance(value, str):
        if value.startswith('"') and value.endswith('"'):
            return value[1:-1].replace('\\"', '"')
        if value.startswith("${") and value.endswith("}"):
            return value[2:-1]
    return value


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def default_text(block):
    if "default" not in block:
        return "required"
    value = block["default"]
    if value is None:
        return "`null`"
    if isinstance(value, str):
        value = unquote(value)
        if "\n" in value:
            return "(a TOML document, see the example)"
        return f'`"{value}"`'
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, dict)):
        return f"`{cell(repr(value).replace(chr(39), chr(34)))}`"
    return f"`{value}`"


def blocks(kind):
    found = {}
    for path in sorted(glob.glob(os.path.join(HERE, "*.tf"))):
        with open(path) as f:
            parsed = hcl2.load(f)
        for entry in parsed.get(kind, []):
            for name, block in entry.items():
                found[unquote(name)] = (block, os.path.basename(path))
    return found


def tables():
    problems = []
    lines = ["## Inputs", "", "| Name | Description | Type | Default |", "|---|---|---|---|"]
    for name, (block, origin) in sorted(blocks("variable").items()):
        description = unquote(block.get("description", ""))
        if not description:
            problems.append(f"variable {name} ({origin}) has no description")
        kind = unquote(block.get("type", "any"))
        lines.append(f"| `{name}` | {cell(description)} | `{cell(kind)}` | {cell(default_text(block))} |")
    lines += ["", "## Outputs", "", "| Name | Description |", "|---|---|"]
    for name, (block, origin) in sorted(blocks("output").items()):
        description = unquote(block.get("description", ""))
        if not description:
            problems.append(f"output {name} ({origin}) has no description")
        lines.append(f"| `{name}` | {cell(description)} |")
    return "\n".join(lines) + "\n", problems


def main(argv):
    text, problems = tables()
    with open(README) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit(f"{README} lacks the {BEGIN} … {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    wanted = f"{head}{BEGIN}\n{text}{END}{tail}"
    if "--check" in argv:
        if problems:
            sys.exit("infra/terraform: " + "; ".join(problems))
        if wanted != readme:
            diff = difflib.unified_diff(readme.splitlines(), wanted.splitlines(), "README.md", "generated", lineterm="")
            print("\n".join(list(diff)[:40]))
            sys.exit("infra/terraform/README.md: the inputs/outputs tables are out of date: run `make tf-docs`")
        print(f"infra test: inputs/outputs tables match the code ({text.count(chr(10))} lines)")
        return
    with open(README, "w") as f:
        f.write(wanted)
    if problems:
        sys.exit("infra/terraform: " + "; ".join(problems))


if __name__ == "__main__":
    main(sys.argv[1:])
