#!/usr/bin/env python3
"""Keeps co_await out of conditions.

GCC 12 miscompiles a coroutine in which an if/while/switch condition, or an operand of && || ?:,
contains a co_await (seen with member coroutines): the frame's promise lands at another offset
than coroutine_handle::from_promise assumes, so the task never runs or executes garbage
(docs/design.md). Await into a variable first, then test the variable.
"""
import re
import sys
from pathlib import Path

root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2])
layers = ["core", "http", "lb", "tls", "conf", "app", "benchmarks", "tests"]
keyword = re.compile(r"\b(if|while|switch)\s*\(")
before = re.compile(r"(&&|\|\||\?|!)\s*\(?\s*co_await\b")
await_expr = re.compile(r"(?<!operator )\bco_await\s+")


def strip_comments_and_strings(text):
    """Blanks comments, character literals and string literals, keeping every newline (so line
    numbers stay right) and keeping a '"' from opening a string."""
    pattern = re.compile(r"//[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|" + r'"(?:\\.|[^"\\\n])*"', re.S)

    def blank(m):
        s = m.group(0)
        if s.startswith("/"):
            return re.sub(r"[^\n]", " ", s)
        return s[0] + s[0]

    return pattern.sub(blank, text)


def condition_end(text, start):
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(text)


def awaited_end(text, i):
    """End of the postfix expression that starts at i (names, ., ->, ::, calls, indexing)."""
    n = len(text)
    while i < n:
        if text[i].isalnum() or text[i] in "_.:":
            i += 1
        elif text.startswith("->", i):
            i += 2
        elif text[i] in "([":
            close = ")" if text[i] == "(" else "]"
            depth = 0
            while i < n:
                if text[i] in "([":
                    depth += 1
                elif text[i] in ")]":
                    depth -= 1
                    if depth == 0:
                        i += 1
                        break
                i += 1
        else:
            break
    return i


problems = []
for layer in layers:
    for path in sorted((root / layer).rglob("*")):
        if path.suffix not in (".cc", ".h") or not path.is_file():
            continue
        text = strip_comments_and_strings(path.read_text())
        for m in keyword.finditer(text):
            open_paren = m.end() - 1
            cond = text[open_paren:condition_end(text, open_paren) + 1]
            if "co_await" in cond:
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(root)}:{line}: co_await in a condition")
        for m in before.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            problems.append(f"{path.relative_to(root)}:{line}: co_await as an operand")
        for m in await_expr.finditer(text):
            end = awaited_end(text, m.end())
            rest = text[end:end + 3].lstrip()
            if rest.startswith(("&&", "||", "?")):
                line = text.count("\n", 0, m.start()) + 1
                problems.append(f"{path.relative_to(root)}:{line}: co_await as an operand")

if problems:
    print("co_await inside a condition (GCC 12 miscompiles it; await into a variable first):")
    print("\n".join(problems))
    sys.exit(1)
print("no co_await inside conditions")
