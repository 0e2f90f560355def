"""A custom import-linter contract: the areas of Pelita depend on each other in one direction.

Import-linter's own `acyclic_siblings` would count every import between two area packages, but
two kinds of module are shared by design and may be imported from any area: the **models**
(`<area>.models`: the database schema is one) and the **pure libraries** (no Flask, no
database: course-pack parsing, quiz rules, question types, formats, ...), which a separate
`forbidden` contract keeps pure. Entry points (views, CLI, job handlers, the app factory, the
plugin loader) sit on top and may import any area. What remains — services, queries and other
area logic — must form no cycle between areas: this contract lists every cycle with the imports
that make it.

Configured in `.importlinter`:

    [importlinter:contract:areas]
    name = ...
    type = areas
    root = lms
    shared = (regular expressions of shared modules: models, pure libraries)
    entry = (regular expressions of entry-point modules)
"""

from __future__ import annotations

import re

from importlinter import Contract, ContractCheck, fields, output


class AreaCycleContract(Contract):
    root = fields.StringField()
    shared = fields.ListField(subfield=fields.StringField())
    entry = fields.ListField(subfield=fields.StringField())

    def _area(self, module: str) -> str:
        parts = module.split(".")
        return parts[1] if len(parts) > 1 else parts[0]

    def check(self, graph, verbose: bool) -> ContractCheck:
        shared = [re.compile(p) for p in self.shared]
        entry = [re.compile(p) for p in self.entry]
        prefix = self.root + "."

        def matches(patterns, module):
            return any(p.search(module) for p in patterns)

        edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for module in graph.modules:
            if not module.startswith(prefix) or matches(entry, module) or matches(shared, module):
                continue
            for imported in graph.find_modules_directly_imported_by(module):
                if not imported.startswith(prefix) or matches(shared, imported):
                    continue
                a, b = self._area(module), self._area(imported)
                if a != b:
                    edges.setdefault((a, b), []).append((module, imported))
        cycles = _strongly_connected(edges)
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles, "edges": edges})

    def render_broken_contract(self, check: ContractCheck) -> None:
        edges = check.metadata["edges"]
        for component in check.metadata["cycles"]:
            output.print_error("Areas in a cycle: " + ", ".join(sorted(component)), bold=True)
            for (a, b), imports in sorted(edges.items()):
                if a in component and b in component:
                    for module, imported in sorted(imports):
                        output.print_error(f"    {module} -> {imported}")
            output.new_line()


def _strongly_connected(edges) -> list[set[str]]:
    """Tarjan's algorithm over the area graph; the components of more than one area."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found
