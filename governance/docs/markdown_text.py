"""A Document as Markdown. Card text is copied as written (like the card's own Markdown
export): the file is a download, never rendered by Tutela."""

from governance.docs.document import Document, Fact, Item, Table


def _cell(text: str) -> str:
    # A table cell is one line, and a pipe would end it.
    return " ".join(text.split()).replace("|", "\\|")


def _table(value: Table) -> list[str]:
    lines = ["| " + " | ".join(map(_cell, value.columns)) + " |"]
    lines.append("|" + "---|" * len(value.columns))
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in value.rows]
    return lines


def _fact(fact: Fact) -> list[str]:
    source = f" _({fact.source})_" if fact.source else ""
    if fact.kind == "text" and "\n" not in fact.value:
        return [f"- **{fact.label}**: {fact.value}{source}", ""]
    lines = [f"**{fact.label}**{source}:", ""]
    if fact.kind == "table":
        lines += _table(fact.value)
    elif fact.kind == "list":
        lines += [f"- {' '.join(line.split())}" for line in fact.value]
    else:
        lines += fact.value.splitlines()
    return [*lines, ""]


def _item(item: Item) -> list[str]:
    lines = [f"### {item.ref} {item.title}", ""]
    for fact in item.facts:
        lines += _fact(fact)
    lines += [f"- **{gap.marker}**" for gap in item.gaps]
    return [*lines, ""] if item.gaps else lines


def document_markdown(document: Document) -> str:
    lines = [f"# {document.title}: {document.subject}", ""]
    lines += [f"> {note}" for note in document.notes]
    lines.append("")
    lines += [f"- **{fact.label}**: {fact.value}" for fact in document.preamble]
    lines += ["", f"Evidence gaps: {len(document.gaps)}, each marked below.", ""]
    for section in document.sections:
        lines += [f"## {section.heading}", ""]
        for item in section.items:
            lines += _item(item)
    return "\n".join(lines).rstrip("\n") + "\n"
