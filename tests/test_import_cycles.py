"""The tree has no import cycle (import-linter's contracts in ``make lint`` check the layers;
this checks that no two modules need each other, even inside one layer)."""

from __future__ import annotations

import grimp


def test_no_module_imports_itself_through_another() -> None:
    graph = grimp.build_graph(
        "bot", "dialogs", "handlers", "storage", exclude_type_checking_imports=True
    )
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported == module:
                continue
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(" -> ".join((module, *back)))
    assert sorted(cycles) == []
