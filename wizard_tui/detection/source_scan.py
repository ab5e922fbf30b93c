"""Find the lines of source code that import, construct or call an LLM client.

Comments (and Python / Elixir docstrings) are blanked before matching, so a commented-out
import or a word in a docstring is never a call; only source files are ever passed in
(markdown, text and docs are not). Constructor and method-call patterns count only in a
file that imports an LLM SDK (except in Ruby, PHP and Elixir, whose clients are autoloaded),
so `new ChatWindow(` in a React file or `.stream(` in a plain module are not calls. What
is matched per language is `languages.LANGUAGES`; this module only applies it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from wizard_tui.detection.catalog import (
    ANTHROPIC_FAMILY,
    GOOGLE_FAMILY,
    LANGUAGE_MODEL_HINT,
    MEDIA_SDKS,
    OPENAI_FAMILY,
)
from wizard_tui.detection.language_record import Language
from wizard_tui.detection.models import LlmKind
from wizard_tui.detection.package_names import in_family

MAX_HITS_PER_FILE = 25
MAX_LINE = 2000
UNRESOLVED = "?"  # prefix of an orphan call's SDK family, resolved against the whole project


@dataclass(frozen=True)
class Hit:
    line: int
    sdk: str
    kind: LlmKind  # import | call | http (never manifest)


def strip_comments(text: str, language: Language, *, blank_strings: bool = False) -> str:
    """The text with every comment replaced by its newlines (line numbers are kept).

    With `blank_strings`, string literals are emptied too (a call written inside a string, as
    in a code sample or a prompt, is not a call).
    """
    blank_triple = language.doc_strings

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s[0] in "\"'`":
            if blank_triple and (s.startswith('"""') or s.startswith("'''")):
                return "\n" * s.count("\n")
            if blank_strings:
                return s[0] + "\n" * s.count("\n") + s[0]
            return s
        return "\n" * s.count("\n")

    return language.comments.sub(repl, text)


# --- endpoints ------------------------------------------------------------------------------

# An endpoint counts where a URL or a host string starts: after "//" or an opening quote.
# Every host here has its anchor among languages.COMMON_KEYWORDS.
_ENDPOINT = re.compile(
    r"(?:(?<=//)|(?<=[\"'`]))(api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com|"
    r"aiplatform\.googleapis\.com|api\.mistral\.ai|api\.cohere\.(?:ai|com)|api\.groq\.com|"
    r"openrouter\.ai/api|api\.together\.(?:xyz|ai)|api\.deepseek\.com|api\.perplexity\.ai|"
    r"api\.fireworks\.ai|api\.x\.ai|api-inference\.huggingface\.co|router\.huggingface\.co|"
    r"api\.replicate\.com|[\w-]+\.openai\.azure\.com|bedrock-runtime\.[\w-]+\.amazonaws\.com|"
    r"(?:localhost|127\.0\.0\.1):11434|api\.ai21\.com|api\.cerebras\.ai|api\.moonshot\.(?:cn|ai))",
    re.I,
)


def _endpoint_sdk(host: str) -> str:
    h = host.lower()
    if h.endswith(".openai.azure.com"):
        return "http:openai.azure.com"
    if h.startswith("bedrock-runtime."):
        return "http:bedrock-runtime.amazonaws.com"
    if h.endswith(":11434"):
        return "http:localhost:11434"
    if h.startswith("openrouter.ai"):
        return "http:openrouter.ai"
    return f"http:{h}"


# --- attribution ----------------------------------------------------------------------------


def resolve_orphan(family: str, project_sdks: list[str]) -> str | None:
    """The project's SDK an orphan call of `family` ("openai" or "google") most likely uses."""
    members = GOOGLE_FAMILY if family == "google" else OPENAI_FAMILY
    for preferred in (members[0], *members):
        for sdk in project_sdks:
            if in_family(sdk, (preferred,)):
                return sdk
    return None


def _generic_sdk(text: str, imported: list[str]) -> str:
    """Attribute a generic client method to the imported SDK it most likely belongs to."""
    lowered = text.lower()
    if "messages" in lowered and "completions" not in lowered:
        preferred: tuple[str, ...] = ANTHROPIC_FAMILY
    elif "generatecontent" in lowered or "generate_content" in lowered:
        preferred = GOOGLE_FAMILY
    else:
        preferred = OPENAI_FAMILY
    for sdk in imported:
        if in_family(sdk, preferred):
            return sdk
    return imported[0]


# --- the scan -------------------------------------------------------------------------------


def keywords_in(lowered: str, language: Language) -> tuple[str, ...]:
    return tuple(k for k in language.keywords if k in lowered)


@lru_cache(maxsize=512)
def _line_filter(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in keys), re.I)


def looks_minified(text: str) -> bool:
    return len(text) > 20_000 and text.count("\n") < len(text) // 1000


def scan_source(text: str, language: Language) -> list[Hit]:
    """LLM imports, client calls and endpoint URLs in one source file, in line order."""
    if looks_minified(text) or not keywords_in(text.lower(), language):
        return []
    code = strip_comments(text, language)
    keys = keywords_in(code.lower(), language)
    if not keys:
        return []
    line_filter = _line_filter(keys)
    lines = code.split("\n")
    keyword_lines = [
        (idx, line) for idx, line in enumerate(lines) if len(line) <= MAX_LINE and line_filter.search(line)
    ]
    hits: dict[tuple[int, str, str], Hit] = {}
    imported: list[str] = []

    def add(lineno: int, sdk: str, kind: LlmKind) -> None:
        key = (lineno, sdk, kind)
        if key not in hits:
            hits[key] = Hit(lineno, sdk, kind)

    # Imports and endpoints first: every call pattern depends on what the file imports.
    for idx, line in keyword_lines:
        sdks = language.imports(line)
        if sdks:
            lineno = idx + 1
            if language.multiline_imports:
                lineno = _statement_start(lines, idx)
                if _TYPE_ONLY.match(lines[lineno - 1]):
                    sdks = []
            for sdk in sdks:
                add(lineno, sdk, "import")
                if sdk not in imported:
                    imported.append(sdk)
        for m in _ENDPOINT.finditer(line):
            add(idx + 1, _endpoint_sdk(m.group(1)), "http")
    for file_call in language.file_calls:
        if file_call.keyword in keys:
            for m in file_call.pattern.finditer(code):
                add(code.count("\n", 0, m.start()) + 1, file_call.sdk(m), "call")
    # Calls are matched with string literals emptied.
    bare = strip_comments(text, language, blank_strings=True).split("\n")
    bare_keyword_lines = [(idx, bare[idx]) for idx, _ in keyword_lines if idx < len(bare)]
    # Autoloaded clients (Ruby, PHP) and Elixir modules need no import statement.
    if language.autoload:
        for idx, line in bare_keyword_lines:
            if language.directive is not None and language.directive.match(line):
                continue
            for autoload in language.autoload:
                named = autoload.find(line)
                if named:
                    add(idx + 1, named, "call")
                    if named not in imported:
                        imported.append(named)
    # A file that imports no SDK but calls a client made elsewhere (`import { openai } from
    # "@/lib/openai"`): only unmistakable method chains, attributed later to the project's SDK.
    if not imported and language.orphan is not None:
        for idx, line in bare_keyword_lines:
            om = language.orphan.search(line)
            if om:
                family = "google" if "enerate" in om.group(0) else "openai"
                add(idx + 1, f"{UNRESOLVED}{family}", "call")
    # Client calls, only in a file that uses an LLM SDK.
    if imported and language.any_call is not None:
        for idx, line in enumerate(bare):
            if len(line) > MAX_LINE:
                continue
            lowered = line.lower()
            if any(h in lowered for h in language.call_hints) and language.any_call.search(line):
                _match_calls(line, idx + 1, language, imported, add)
    ordered = sorted(hits.values(), key=lambda h: (h.line, h.kind, h.sdk))
    if any(h.sdk in MEDIA_SDKS for h in ordered) and not LANGUAGE_MODEL_HINT.search(code):
        ordered = [h for h in ordered if h.sdk not in MEDIA_SDKS]  # an image or audio model
    return ordered[:MAX_HITS_PER_FILE]


def _match_calls(
    line: str,
    lineno: int,
    language: Language,
    imported: list[str],
    add: Callable[[int, str, LlmKind], None],
) -> None:
    for pattern, family in language.calls:
        m = pattern.search(line)
        if not m:
            continue
        if family is None:
            add(lineno, _generic_sdk(m.group(0), imported), "call")
            continue
        members = [sdk for sdk in imported if in_family(sdk, family)]
        if members:
            # `createXai(` belongs to @ai-sdk/xai even when @ai-sdk/groq is imported first.
            called = m.group(0).lower()
            named = [sdk for sdk in members if sdk.rsplit("/", 1)[-1].replace("-", "") in called]
            add(lineno, (named or members)[0], "call")


_TYPE_ONLY = re.compile(r"^\s*(?:import|export)\s+type\b")
_STATEMENT_START = re.compile(r"^\s*(?:import|export)\b")
_STATEMENT_WORD = re.compile(r"\b(?:import|require|export)\b")


def _statement_start(lines: list[str], idx: int) -> int:
    """1-based line where the import/export statement holding line `idx` begins."""
    if _STATEMENT_WORD.search(lines[idx]):
        return idx + 1
    for back in range(idx - 1, max(-1, idx - 50), -1):
        if _STATEMENT_START.match(lines[back]):
            return back + 1
        if ";" in lines[back]:
            break
    return idx + 1
