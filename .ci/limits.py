"""The size and shape limits every change keeps (run by .ci/run; exit 1 naming each breach).

* ``bot/`` has at most 6 modules at its top level (``__init__``/``__main__`` not counted);
* no module of ``bot/`` or ``adapters/`` is longer than 400 lines;
* no function outside ``tests/`` is longer than 60 lines;
* no import cycle between modules of ``bot/`` and ``adapters/`` (lazy imports included).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
MAX_TOP_MODULES = 6
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def top_modules() -> list[str]:
    skip = {"__init__.py", "__main__.py"}
    return sorted(p.name for p in (ROOT / "bot").glob("*.py") if p.name not in skip)


def long_modules() -> list[str]:
    found = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "adapters").rglob("*.py")]):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return found


def long_functions() -> list[str]:
    found = []
    for folder in ("bot", "adapters", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    length = (node.end_lineno or node.lineno) - node.lineno + 1
                    if length > MAX_FUNCTION_LINES:
                        where = f"{path.relative_to(ROOT)}:{node.lineno}"
                        found.append(f"{where} {node.name}(): {length} lines")
    return found


def import_cycles() -> list[str]:
    graph = grimp.build_graph("bot", "adapters", include_external_packages=False)
    modules = sorted(graph.modules)
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    stack: list[str] = []
    cycles: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if state.get(imported) == 1:
                cycle = [*stack[stack.index(imported) :], imported]
                cycles.append(" -> ".join(cycle))
            elif imported not in state:
                visit(imported)
        stack.pop()
        state[module] = 2

    for module in modules:
        if module not in state:
            visit(module)
    return cycles


def main() -> int:
    sys.path.insert(0, str(ROOT))
    problems = []
    top = top_modules()
    if len(top) > MAX_TOP_MODULES:
        problems.append(f"bot/ has {len(top)} top-level modules (at most {MAX_TOP_MODULES}): {top}")
    problems += [f"module over {MAX_MODULE_LINES} lines: {m}" for m in long_modules()]
    problems += [f"function over {MAX_FUNCTION_LINES} lines: {f}" for f in long_functions()]
    problems += [f"import cycle: {c}" for c in import_cycles()]
    for problem in problems:
        print(f"limits: {problem}")
    if not problems:
        print(
            f"limits: ok ({len(top)} top-level modules in bot/; no module, function or cycle "
            "over the limits)"
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
