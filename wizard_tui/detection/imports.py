"""Which LLM SDK one line of source imports, per language (the `imports` of a language record).

A line goes in, the SDK package names it imports come out (usually none). Most languages
need only a pattern and a table (`by_table`); JavaScript and Python resolve module paths
to packages and have functions of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping

from wizard_tui.detection.catalog import is_llm_package

ImportRule = Callable[[str], list[str]]


def alternation(names: Iterable[str]) -> str:
    """A regex alternation of literal names, in the given order (put a longer name first)."""
    return "|".join(re.escape(name) for name in names)


def by_table(before: str, names: Mapping[str, str], after: str) -> ImportRule:
    """An import line `before NAME after` at the line's start, NAME one of `names`' keys."""
    pattern = re.compile(f"{before}({alternation(names)}){after}")

    def imports(line: str) -> list[str]:
        m = pattern.match(line)
        return [names[m.group(1)]] if m else []

    return imports


def by_pattern(pattern: str, resolve: Callable[[str], str | None]) -> ImportRule:
    """An import line matching `pattern` at its start, whose group 1 `resolve` maps to an SDK."""
    compiled = re.compile(pattern)

    def imports(line: str) -> list[str]:
        m = compiled.match(line)
        sdk = resolve(m.group(1)) if m else None
        return [sdk] if sdk else []

    return imports


# --- JavaScript and TypeScript ----------------------------------------------------------------

_JS_SPEC = re.compile(r"""(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*["']([^"'\n]+)["']""")
_CDN_PREFIXES = ("https://esm.sh/", "https://cdn.skypack.dev/", "https://esm.run/", "npm:")


def npm_package_of(spec: str) -> str | None:
    """The npm package an import specifier names (`@scope/pkg/sub` -> `@scope/pkg`), None if local."""
    spec = spec.strip()
    for prefix in _CDN_PREFIXES:
        if spec.startswith(prefix):
            spec = spec[len(prefix) :]
            break
    if not spec or spec.startswith((".", "/", "~", "#", "$", "node:")) or "://" in spec:
        return None
    parts = spec.split("/")
    if spec.startswith("@"):
        if len(parts) < 2 or not parts[1]:
            return None
        return f"{parts[0]}/{parts[1].split('@')[0]}"
    return parts[0].split("@")[0] or None


def js_imports(line: str) -> list[str]:
    """LLM packages an `import`, `export ... from` or `require` on the line names."""
    out: list[str] = []
    for m in _JS_SPEC.finditer(line):
        pkg = npm_package_of(m.group(1))
        if pkg and is_llm_package("npm", pkg):
            out.append(pkg)
    return out


# --- Python -------------------------------------------------------------------------------------

# Import path -> the PyPI package that provides it (the longest matching prefix wins).
_PY_MODULES: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "litellm": "litellm",
    "mistralai": "mistralai",
    "cohere": "cohere",
    "google.generativeai": "google-generativeai",
    "google.genai": "google-genai",
    "groq": "groq",
    "together": "together",
    "replicate": "replicate",
    "ollama": "ollama",
    "pydantic_ai": "pydantic-ai",
    "crewai": "crewai",
    "instructor": "instructor",
    "dspy": "dspy",
    "langgraph": "langgraph",
    "langchain": "langchain",
    "llama_index": "llama-index",
    "vertexai": "vertexai",
    "smolagents": "smolagents",
    "haystack": "haystack-ai",
    "semantic_kernel": "semantic-kernel",
    "autogen": "pyautogen",
    "autogen_agentchat": "autogen-agentchat",
    "autogen_ext": "autogen-agentchat",
    "mirascope": "mirascope",
    "fireworks": "fireworks-ai",
    "ai21": "ai21",
    "portkey_ai": "portkey-ai",
    "cerebras": "cerebras-cloud-sdk",
    "posthog.ai": "posthog[ai]",
    "agno": "agno",
    "strands": "strands-agents",
    "llama_cpp": "llama-cpp-python",
}
# `openai-agents` imports as `agents`, a name apps also use: only these names tell it apart.
_OPENAI_AGENTS_NAMES = frozenset(
    {"Runner", "function_tool", "set_default_openai_key", "OpenAIChatCompletionsModel", "ModelSettings", "handoff"}
)
_PY_IMPORT = re.compile(r"^\s*import\s+([\w., \t]+)")
_PY_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?\s*([\w., \t]*)")


def python_sdk_of(module: str) -> str | None:
    """The PyPI package an import path belongs to, if it is an LLM SDK."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        sdk = _PY_MODULES.get(".".join(parts[:i]))
        if sdk:
            return sdk
    top = parts[0]
    if top.startswith("langchain_"):
        return "langchain-" + top[len("langchain_") :].replace("_", "-")
    return None


def python_imports(line: str) -> list[str]:
    """LLM packages an `import x` or `from x import y` on the line names."""
    out: list[str] = []
    m = _PY_FROM.match(line)
    if m:
        module = m.group(1)
        if module.startswith("."):
            return out
        sdk = python_sdk_of(module)
        if sdk:
            return [sdk]
        names = {n.strip().split(" ")[0] for n in m.group(2).split(",")}
        if module == "agents" and names & _OPENAI_AGENTS_NAMES:
            return ["openai-agents"]
        for name in m.group(2).split(","):
            first = name.strip().split(" ")[0]
            if first:
                sdk = python_sdk_of(f"{module}.{first}")
                if sdk:
                    out.append(sdk)
        return out
    m = _PY_IMPORT.match(line)
    if m:
        for part in m.group(1).split(","):
            module = part.strip().split(" ")[0]
            sdk = python_sdk_of(module) if module else None
            if sdk:
                out.append(sdk)
    return out
