"""Find the lines of source code that import, construct or call an LLM client.

Comments (and Python / Elixir docstrings) are blanked before matching, so a commented-out
import or a word in a docstring is never a call; only source files are ever passed in
(markdown, text and docs are not). Constructor and method-call patterns count only in a
file that imports an LLM SDK (except in Ruby, PHP and Elixir, whose clients are autoloaded),
so `new ChatWindow(` in a React file or `.stream(` in a plain module are not calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from wizard_tui.detection.catalog import LANGUAGE_MODEL_HINT, MEDIA_SDKS, go_llm_module, is_llm_package
from wizard_tui.detection.models import LlmKind

LANG_BY_EXT: dict[str, str] = {
    ".js": "js",
    ".jsx": "js",
    ".ts": "js",
    ".tsx": "js",
    ".mjs": "js",
    ".cjs": "js",
    ".mts": "js",
    ".cts": "js",
    ".vue": "web",
    ".svelte": "web",
    ".astro": "web",
    ".py": "py",
    ".rb": "rb",
    ".rake": "rb",
    ".go": "go",
    ".php": "php",
    ".rs": "rs",
    ".ex": "ex",
    ".exs": "ex",
    ".dart": "dart",
    ".kt": "jvm",
    ".java": "jvm",
    ".scala": "jvm",
    ".swift": "swift",
}
MAX_HITS_PER_FILE = 25
MAX_LINE = 2000


@dataclass(frozen=True)
class Hit:
    line: int
    sdk: str
    kind: LlmKind  # import | call | http (never manifest)


# --- comment blanking ---------------------------------------------------------------------

_DQ = r'"(?:\\.|[^"\\\n])*"'
_SQ = r"'(?:\\.|[^'\\\n])*'"
_CBLOCK = r"/\*[\s\S]*?\*/"
_COMMENT_RE: dict[str, re.Pattern[str]] = {
    "js": re.compile(rf"//[^\n]*|{_CBLOCK}|{_DQ}|{_SQ}|`(?:\\.|[^`\\])*`"),
    "web": re.compile(rf"<!--[\s\S]*?-->|//[^\n]*|{_CBLOCK}|{_DQ}|{_SQ}|`(?:\\.|[^`\\])*`"),
    "py": re.compile(rf'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|{_DQ}|{_SQ}'),
    "rb": re.compile(rf"#[^\n]*|^=begin[\s\S]*?^=end|{_DQ}|{_SQ}", re.M),
    "go": re.compile(rf"//[^\n]*|{_CBLOCK}|{_DQ}|`[^`]*`|{_SQ}"),
    "php": re.compile(rf"//[^\n]*|#(?!\[)[^\n]*|{_CBLOCK}|{_DQ}|{_SQ}"),
    "rs": re.compile(rf'//[^\n]*|{_CBLOCK}|"(?:\\.|[^"\\])*"'),
    "ex": re.compile(rf'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|{_DQ}'),
    "dart": re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}|{_SQ}'),
    "jvm": re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}|{_SQ}'),
    "swift": re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}'),
}
_DOC_STRINGS = {"py", "ex"}  # triple-quoted strings there are docs, not code


def strip_comments(text: str, lang: str, *, blank_strings: bool = False) -> str:
    """The text with every comment replaced by its newlines (line numbers are kept).

    With `blank_strings`, string literals are emptied too (a call written inside a string, as
    in a code sample or a prompt, is not a call).
    """
    pattern = _COMMENT_RE[lang]
    blank_triple = lang in _DOC_STRINGS

    def repl(m: re.Match[str]) -> str:
        s = m.group(0)
        if s[0] in "\"'`":
            if blank_triple and (s.startswith('"""') or s.startswith("'''")):
                return "\n" * s.count("\n")
            if blank_strings:
                return s[0] + "\n" * s.count("\n") + s[0]
            return s
        return "\n" * s.count("\n")

    return pattern.sub(repl, text)


# --- prefilter ------------------------------------------------------------------------------
# Lower-case literals, one of which is on every line an import, endpoint or autoloaded-client
# pattern can match. Plain substring tests are an order of magnitude faster than one big
# regex; a file without any of them is never looked at line by line.

_COMMON_KEYWORDS: tuple[str, ...] = (
    # SDK names every language shares, and the anchors of every endpoint in _ENDPOINT.
    "openai",
    "anthropic",
    "langchain",
    "llama",
    "mistral",
    "genai",
    "generativ",
    "groq",
    "ollama",
    "gemini",
    "vertexai",
    "aiplatform",
    "deepseek",
    "openrouter",
    "perplexity",
    "fireworks",
    "api.x.ai",
    "huggingface",
    "bedrock",
    "11434",
    "ai21",
    "cerebras",
    "moonshot",
    "api.cohere",
    "api.together",
    "replicate.com",
)
_LANG_KEYWORDS: dict[str, tuple[str, ...]] = {
    "js": (
        *("completions.create", "completions.parse", "completions.stream", "responses.create"),
        *("embeddings.create", "generatecontent"),
        '"ai"',
        "'ai'",
        '"ai/',
        "'ai/",
        "@ai-sdk",
        "cohere-ai",
        "cohereclient",
        "together-ai",
        '"replicate"',
        "'replicate'",
        "portkey",
        "mastra",
        "fal-ai",
        "genkit",
        "posthog/ai",
        "@instructor-ai",
        '"chatgpt"',
        "'chatgpt'",
        "@cf/",
    ),
    "py": (
        *("completions.create", "completions.parse", "completions.stream", "responses.create"),
        *("embeddings.create", "generate_content"),
        "litellm",
        "pydantic_ai",
        "crewai",
        "dspy",
        "langgraph",
        "smolagents",
        "haystack",
        "semantic_kernel",
        "autogen",
        "mirascope",
        "portkey",
        "posthog.ai",
        "agno.",
        "import agno",
        "from strands",
        "import strands",
        "from agents import",
        "import cohere",
        "from cohere",
        "cohere.",
        "from together",
        "import together",
        "import instructor",
        "from instructor",
        "instructor.",
        "import replicate",
        "from replicate",
        "replicate.",
    ),
    "rb": ("rubyllm", "ruby_llm", "omniai", "raix"),
    "go": ("cloudwego", "genkit", "cohere-go"),
    "php": ("prism\\", "prism::", "llphant", "neuronai", "symfony\\ai", "laravel\\ai"),
    "rs": ("misanthropy", "use clust", "use rig", "llm_chain"),
    "dart": ("firebase_ai", "googleai", "chat_gpt"),
    "jvm": ("springframework.ai", "koog", "firebase.ai"),
    "swift": ("firebaseai", "aiproxy"),
    "ex": ("anthropix", "reqllm", "instructor"),
}
_LANG_KEYWORDS["web"] = _LANG_KEYWORDS["js"]
KEYWORDS: dict[str, tuple[str, ...]] = {lang: _COMMON_KEYWORDS + extra for lang, extra in _LANG_KEYWORDS.items()}


def keywords_in(lowered: str, lang: str) -> tuple[str, ...]:
    return tuple(k for k in KEYWORDS[lang] if k in lowered)


@lru_cache(maxsize=512)
def _line_filter(keys: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(k) for k in keys), re.I)


# Cheap substrings one of which every client-call pattern of the language needs.
_CALL_HINTS: dict[str, tuple[str, ...]] = {
    "js": ("new ", "generat", "stream", "embed", "create", "complete", "parse", "counttokens"),
    "py": (
        "openai",
        "anthropic",
        "genai",
        "generativemodel",
        "mistral",
        "client",
        "groq",
        "together",
        "chat",
        "embeddings",
        "completion",
        "ollama",
        "replicate",
        "instructor",
        "dspy",
        "agent(",
        "crew(",
        "create",
        "parse",
        "stream",
        "generate_content",
        "complete",
        "invoke",
        "run_sync",
    ),
    "go": ("new", "create", "generate"),
    "rs": ("create", "exec_chat"),
    "dart": ("generativemodel", "openai", "anthropicclient", "firebase", "generatecontent"),
    "jvm": (
        "okhttpclient",
        "openai(",
        "generativemodel",
        "chatmodel",
        "create",
        "generatecontent",
        "chatcompletion",
        "chatclient",
    ),
    "swift": (
        "openai(",
        "generativemodel",
        "generatecontent",
        "chats(",
        "servicefactory",
        "firebaseai",
        "vertexai",
    ),
    "rb": ("create", "parameters:"),
    "php": ("create", "generatecontent"),
}
_CALL_HINTS["web"] = _CALL_HINTS["js"]


# --- endpoints ------------------------------------------------------------------------------

# An endpoint counts where a URL or a host string starts: after "//" or an opening quote.
_ENDPOINT = re.compile(
    r"(?:(?<=//)|(?<=[\"'`]))(api\.openai\.com|api\.anthropic\.com|generativelanguage\.googleapis\.com|"
    r"aiplatform\.googleapis\.com|api\.mistral\.ai|api\.cohere\.(?:ai|com)|api\.groq\.com|"
    r"openrouter\.ai/api|api\.together\.(?:xyz|ai)|api\.deepseek\.com|api\.perplexity\.ai|"
    r"api\.fireworks\.ai|api\.x\.ai|api-inference\.huggingface\.co|router\.huggingface\.co|"
    r"api\.replicate\.com|[\w-]+\.openai\.azure\.com|bedrock-runtime\.[\w-]+\.amazonaws\.com|"
    r"(?:localhost|127\.0\.0\.1):11434|api\.ai21\.com|api\.cerebras\.ai|api\.moonshot\.(?:cn|ai))",
    re.I,
)


_WORKERS_AI_RUN = re.compile(r"\.AI\.run\s*\(")
_BOTO_BEDROCK = re.compile(
    r"""\bclient\(\s*(?:service_name\s*=\s*)?["'](bedrock(?:-agent)?-runtime)["']""",
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


# --- import resolvers, per language --------------------------------------------------------

_JS_SPEC = re.compile(r"""(?:\bfrom|\bimport|\brequire\s*\(|\bimport\s*\()\s*["']([^"'\n]+)["']""")
_JS_TYPE_ONLY = re.compile(r"^\s*(?:import|export)\s+type\b")
_JS_STMT_START = re.compile(r"^\s*(?:import|export)\b")
_CDN_PREFIXES = ("https://esm.sh/", "https://cdn.skypack.dev/", "https://esm.run/", "npm:")


def npm_package_of(spec: str) -> str | None:
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


def python_sdk_of(module: str) -> str | None:
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        sdk = _PY_MODULES.get(".".join(parts[:i]))
        if sdk:
            return sdk
    top = parts[0]
    if top.startswith("langchain_"):
        return "langchain-" + top[len("langchain_") :].replace("_", "-")
    return None


_OPENAI_AGENTS_NAMES = frozenset(
    {"Runner", "function_tool", "set_default_openai_key", "OpenAIChatCompletionsModel", "ModelSettings", "handoff"}
)
_PY_IMPORT = re.compile(r"^\s*import\s+([\w., \t]+)")
_PY_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\s+\(?\s*([\w., \t]*)")

_RB_REQUIRE = re.compile(r"""^\s*require\s*\(?\s*["']([\w/-]+)["']""")
_RB_LIBS = {
    "openai": "openai",
    "ruby/openai": "ruby-openai",
    "anthropic": "anthropic",
    "langchain": "langchainrb",
    "ruby_llm": "ruby_llm",
    "omniai": "omniai",
    "gemini-ai": "gemini-ai",
    "groq": "groq",
    "ollama-ai": "ollama-ai",
    "raix": "raix",
}
_GO_IMPORT = re.compile(r'^\s*(?:import\s+)?(?:[\w.]+\s+)?"([^"\s]+)"\s*\)?\s*;?\s*$')
_PHP_USE = re.compile(
    r"^\s*use\s+(?:function\s+)?\\?(OpenAI\\Laravel|OpenAI|Anthropic|Prism\\Prism|EchoLabs\\Prism|LLPhant|"
    r"Gemini|NeuronAI|Symfony\\AI|Laravel\\Ai)\b"
)
_PHP_LIBS = {
    "OpenAI\\Laravel": "openai-php/laravel",
    "OpenAI": "openai-php/client",
    "Anthropic": "anthropic-php",
    "Prism\\Prism": "prism-php/prism",
    "EchoLabs\\Prism": "prism-php/prism",
    "LLPhant": "theodo-group/llphant",
    "Gemini": "google-gemini-php/client",
    "NeuronAI": "neuron-core/neuron-ai",
    "Symfony\\AI": "symfony/ai-platform",
    "Laravel\\Ai": "laravel/ai",
}
_RS_USE = re.compile(
    r"^\s*(?:pub\s+)?use\s+(async_openai|openai_api_rs|anthropic_sdk|anthropic|misanthropy|rig|"
    r"ollama_rs|genai|langchain_rust|llm_chain|mistralai_client|clust|openai)\b"
)
_DART_IMPORT = re.compile(r"""^\s*import\s+["']package:(\w+)/""")
_JVM_IMPORT = re.compile(
    r"^\s*import\s+(?:static\s+)?(com\.openai|com\.anthropic|dev\.langchain4j|com\.aallam\.openai|"
    r"org\.springframework\.ai|com\.google\.genai|com\.google\.ai\.client\.generativeai|"
    r"com\.google\.firebase\.ai|com\.google\.firebase\.vertexai|com\.theokanning\.openai|"
    r"io\.github\.sashirestela\.openai|ai\.koog)\b"
)
_JVM_LIBS = {
    "com.openai": "com.openai:openai-java",
    "com.anthropic": "com.anthropic:anthropic-java",
    "dev.langchain4j": "dev.langchain4j:langchain4j",
    "com.aallam.openai": "com.aallam.openai:openai-client",
    "org.springframework.ai": "org.springframework.ai",
    "com.google.genai": "com.google.genai:google-genai",
    "com.google.ai.client.generativeai": "com.google.ai.client.generativeai:generativeai",
    "com.google.firebase.ai": "com.google.firebase:firebase-ai",
    "com.google.firebase.vertexai": "com.google.firebase:firebase-vertexai",
    "com.theokanning.openai": "com.theokanning.openai-gpt3-java:service",
    "io.github.sashirestela.openai": "io.github.sashirestela:simple-openai",
    "ai.koog": "ai.koog",
}
_SWIFT_IMPORT = re.compile(
    r"^\s*import\s+(OpenAI|GoogleGenerativeAI|SwiftAnthropic|FirebaseAI|FirebaseVertexAI|"
    r"AIProxy|SwiftOpenAI|OpenAIKit)\s*$"
)
_SWIFT_LIBS = {
    "OpenAI": "openai",
    "GoogleGenerativeAI": "generative-ai-swift",
    "SwiftAnthropic": "swiftanthropic",
    "FirebaseAI": "firebase-ai",
    "FirebaseVertexAI": "firebase-vertexai",
    "AIProxy": "aiproxyswift",
    "SwiftOpenAI": "swiftopenai",
    "OpenAIKit": "openaikit",
}
_EX_MODULE = re.compile(r"\b(OpenaiEx|Anthropix|ReqLLM|InstructorLite|Instructor|LangChain\.ChatModels|OpenAI)\.\w+")
_EX_LIBS = {
    "OpenaiEx": "openai_ex",
    "Anthropix": "anthropix",
    "ReqLLM": "req_llm",
    "InstructorLite": "instructor_lite",
    "Instructor": "instructor",
    "LangChain.ChatModels": "langchain",
    "OpenAI": "openai",
}
_EX_DIRECTIVE = re.compile(r"^\s*(?:alias|import|use|require)\b")


def _imports(lang: str, line: str) -> list[str]:
    """LLM SDKs a line imports (empty for most lines)."""
    out: list[str] = []
    m: re.Match[str] | None
    if lang in ("js", "web"):
        for m in _JS_SPEC.finditer(line):
            pkg = npm_package_of(m.group(1))
            if pkg and is_llm_package("npm", pkg):
                out.append(pkg)
    elif lang == "py":
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
                return ["openai-agents"]  # the package imports as `agents`, a name apps also use
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
    elif lang == "rb":
        m = _RB_REQUIRE.match(line)
        if m and m.group(1) in _RB_LIBS:
            out.append(_RB_LIBS[m.group(1)])
    elif lang == "go":
        m = _GO_IMPORT.match(line)
        if m:
            mod = go_llm_module(m.group(1))
            if mod:
                out.append(mod)
    elif lang == "php":
        m = _PHP_USE.match(line)
        if m:
            out.append(_PHP_LIBS[m.group(1)])
    elif lang == "rs":
        m = _RS_USE.match(line)
        if m:
            crate = m.group(1)
            out.append("rig-core" if crate == "rig" else crate.replace("_", "-"))
    elif lang == "dart":
        m = _DART_IMPORT.match(line)
        if m and is_llm_package("pub", m.group(1)):
            out.append(m.group(1))
    elif lang == "jvm":
        m = _JVM_IMPORT.match(line)
        if m:
            out.append(_JVM_LIBS[m.group(1)])
    elif lang == "swift":
        m = _SWIFT_IMPORT.match(line)
        if m:
            out.append(_SWIFT_LIBS[m.group(1)])
    elif lang == "ex" and _EX_DIRECTIVE.match(line):
        m = _EX_MODULE.search(line)
        if m:
            out.append(_EX_LIBS[m.group(1)])
    return out


# --- call patterns -------------------------------------------------------------------------
# (pattern, family): the call counts when the file imports an SDK of the family (a name, or a
# prefix ending in "*"), and is reported under that SDK. A None family is a generic client
# method: it counts in any file that imports an LLM SDK, reported under the best-fitting one.

_Family = tuple[str, ...] | None
_OPENAI_FAM = (
    "openai",
    "@azure/openai",
    "openai-edge",
    "@posthog/ai",
    "portkey-ai",
    "@langchain/*",
    "langchain*",
    "llamaindex",
    "@llamaindex/*",
    "posthog[ai]",
    "llama-index",
    "litellm",
)
_ANTHROPIC_FAM = (
    "@anthropic-ai/*",
    "anthropic",
    "@posthog/ai",
    "posthog[ai]",
    "langchain*",
    "@langchain/*",
    "llama-index",
)
_GOOGLE_FAM = (
    "@google/genai",
    "@google/generative-ai",
    "@google-cloud/vertexai",
    "google-genai",
    "google-generativeai",
    "vertexai",
    "posthog[ai]",
)

_CALLS: dict[str, list[tuple[str, _Family]]] = {
    "js": [
        (r"\bnew\s+(?:OpenAI|AzureOpenAI)\s*\(", _OPENAI_FAM),
        (r"\bnew\s+Anthropic(?:Bedrock|Vertex|Foundry)?\s*\(", _ANTHROPIC_FAM),
        (
            r"\bnew\s+(?:GoogleGenAI|GoogleGenerativeAI|VertexAI)\s*\(|\.getGenerativeModel\s*\(",
            _GOOGLE_FAM,
        ),
        (r"\bnew\s+(?:Mistral|MistralClient)\s*\(", ("@mistralai/*",)),
        (r"\bnew\s+CohereClient(?:V2)?\s*\(", ("cohere-ai",)),
        (r"\bnew\s+Groq\s*\(", ("groq-sdk",)),
        (r"\bnew\s+Together\s*\(", ("together-ai",)),
        (r"\bnew\s+Replicate\s*\(", ("replicate",)),
        (r"\bnew\s+Ollama\s*\(", ("ollama",)),
        (r"\bnew\s+(?:HfInference|InferenceClient)\s*\(", ("@huggingface/inference",)),
        (r"\bnew\s+Portkey\s*\(", ("portkey-ai",)),
        (r"\bnew\s+(?:Chat[A-Z]\w*|\w+Embeddings)\s*\(", ("@langchain/*", "langchain")),
        (r"\bnew\s+Agent\s*\(", ("@mastra/core", "@openai/agents")),
        (
            r"\b(?:generateText|streamText|generateObject|streamObject|embedMany|embed|"
            r"generateImage|experimental_generateImage|streamUI)\s*\(",
            ("ai",),
        ),
        (
            r"\bcreate(?:OpenAI|Anthropic|GoogleGenerativeAI|Mistral|Groq|OpenRouter|Azure|"
            r"AmazonBedrock|Vertex|VertexAnthropic|DeepSeek|XAI|Xai|Cohere|Ollama|OpenAICompatible|"
            r"TogetherAI|Fireworks|Perplexity|Cerebras|DeepInfra|Gateway)\s*\(",
            ("@ai-sdk/*", "@openrouter/ai-sdk-provider"),
        ),
        (
            r"\.(?:chat\.completions\.(?:create|parse|stream)|responses\.(?:create|parse|stream)|"
            r"completions\.create|embeddings\.create|images\.generate|"
            r"messages\.(?:create|stream|countTokens)|models\.generateContent(?:Stream)?|"
            r"generateContent(?:Stream)?|chat\.complete|chat\.stream)\s*\(",
            None,
        ),
    ],
    "py": [
        (r"\b(?:Async)?(?:Azure)?OpenAI\s*\(", _OPENAI_FAM),
        (r"\b(?:Async)?Anthropic(?:Bedrock|Vertex|Foundry)?\s*\(", _ANTHROPIC_FAM),
        (r"\bgenai\.(?:Client|GenerativeModel|configure)\s*\(|\bGenerativeModel\s*\(", _GOOGLE_FAM),
        (r"\b(?:Mistral|MistralClient|MistralAsyncClient)\s*\(", ("mistralai",)),
        (r"\bcohere\.(?:Async)?Client(?:V2)?\s*\(", ("cohere",)),
        (r"\b(?:Async)?Groq\s*\(", ("groq",)),
        (r"\b(?:Async)?Together\s*\(", ("together",)),
        (r"\bChat[A-Z]\w*\s*\(|\binit_chat_model\s*\(|\b\w+Embeddings\s*\(", ("langchain*",)),
        (r"\blitellm\.a?completion\s*\(|(?<![.\w])a?completion\s*\(", ("litellm",)),
        (r"\bollama\.(?:chat|generate|embed|embeddings|(?:Async)?Client)\s*\(", ("ollama",)),
        (r"\breplicate\.(?:run|stream|predictions\.create)\s*\(", ("replicate",)),
        (r"\binstructor\.(?:from_\w+|patch)\s*\(", ("instructor",)),
        (r"\bdspy\.(?:LM|OpenAI|configure)\s*\(", ("dspy",)),
        (
            r"\b(?:Agent|Crew|CodeAgent)\s*\(",
            ("pydantic-ai", "crewai", "smolagents", "agno", "strands-agents"),
        ),
        (r"\bopenai\.(?:ChatCompletion|Completion|Embedding)\.a?create\s*\(", ("openai",)),
        (
            r"\.(?:chat\.completions\.(?:create|parse|stream)|responses\.(?:create|parse|stream)|"
            r"completions\.create|embeddings\.create|images\.generate|"
            r"messages\.(?:create|stream|count_tokens)|models\.generate_content(?:_stream)?|"
            r"generate_content(?:_async)?|chat\.complete(?:_async)?|chat\.stream(?:_async)?|"
            r"a?invoke|run_sync)\s*\(",
            None,
        ),
    ],
    "go": [
        (
            r"\.(?:Chat\.Completions\.New(?:Streaming)?|Responses\.New(?:Streaming)?|"
            r"Messages\.New(?:Streaming)?|CreateChatCompletion(?:Stream)?|CreateCompletion(?:Stream)?|"
            r"CreateEmbeddings|GenerateContent(?:Stream)?)\s*\(|\bllms\.GenerateFromSinglePrompt\s*\(|"
            r"\b(?:openai|anthropic|genai)\.NewClient\w*\s*\(",
            None,
        ),
    ],
    "rs": [(r"\.chat\(\)\s*\.create\s*\(|\.exec_chat\s*\(|\.create_message\s*\(", None)],
    "dart": [
        (
            r"\bGenerativeModel\s*\(|\bOpenAI\.(?:instance|apiKey)\b|\bOpenAIClient\s*\(|"
            r"\bAnthropicClient\s*\(|\bFirebaseAI\.\w+\s*\(|\bFirebaseVertexAI\.\w+\s*\(|"
            r"\.generateContent(?:Stream)?\s*\(",
            None,
        ),
    ],
    "jvm": [
        (
            r"\b(?:OpenAIOkHttpClient|AnthropicOkHttpClient)(?:Async)?\.(?:builder|fromEnv)\s*\(|"
            r"\bOpenAI\s*\(|\bGenerativeModel\s*\(|\b\w+ChatModel\.builder\s*\(|"
            r"\.(?:chat\(\)\.completions\(\)|messages\(\)|responses\(\))\.create\s*\(|"
            r"\.generateContent\s*\(|\.chatCompletion\s*\(|\bChatClient\.(?:create|builder)\s*\(",
            None,
        ),
    ],
    "swift": [
        (
            r"\bOpenAI\s*\(\s*(?:apiToken|configuration)\s*:|\bGenerativeModel\s*\(|"
            r"\.generateContent\s*\(|\.chats\s*\(\s*query\s*:|"
            r"\b(?:AnthropicServiceFactory|OpenAIServiceFactory)\.service\s*\(|"
            r"\bFirebaseAI\.firebaseAI\s*\(|\bVertexAI\.vertexAI\s*\(",
            None,
        ),
    ],
    "rb": [
        (
            r"\.messages\.create\s*\(|\.chat\.completions\.create\s*\(|\.responses\.create\s*\(|"
            r"\.(?:chat|completions|embeddings)\s*\(\s*parameters:",
            None,
        ),
    ],
    "php": [
        (
            r"->(?:chat|messages|completions|responses)\(\)->create\s*\(|->generateContent\s*\(",
            None,
        ),
    ],
}
_CALLS["web"] = _CALLS["js"]

# Autoloaded clients (no import statement needed): pattern -> SDK.
_AUTOLOAD: dict[str, list[tuple[str, str]]] = {
    "rb": [
        (r"\bOpenAI::Client\.new\b", "openai"),
        (r"\bAnthropic::Client\.new\b", "anthropic"),
        (r"\bRubyLLM\.(?:chat|embed|paint)\b", "ruby_llm"),
        (r"\bLangchain::LLM::\w+\.new\b", "langchainrb"),
        (r"\bOmniAI::\w+::Client\.new\b", "omniai"),
    ],
    "php": [
        (
            r"\bOpenAI::(?:client|factory|chat|completions|responses|embeddings|images|assistants)\s*\(",
            "openai-php/client",
        ),
        (r"\bAnthropic::(?:client|factory|messages)\s*\(", "anthropic-php"),
        (r"\bPrism::(?:text|structured|embeddings|image)\s*\(", "prism-php/prism"),
        (
            r"\bGemini::(?:client|factory|generativeModel|geminiPro|geminiFlash)\s*\(",
            "google-gemini-php/client",
        ),
    ],
}


UNRESOLVED = "?"  # prefix of an orphan call's SDK family, resolved against the whole project
_ORPHAN: dict[str, re.Pattern[str]] = {
    "js": re.compile(
        r"\.chat\.completions\.(?:create|parse|stream)\s*\(|\.responses\.(?:create|parse|stream)\s*\(|"
        r"\.embeddings\.create\s*\(|\.(?:models\.)?generateContent(?:Stream)?\s*\("
    ),
    "py": re.compile(
        r"\.chat\.completions\.(?:create|parse|stream)\s*\(|\.responses\.(?:create|parse|stream)\s*\(|"
        r"\.embeddings\.create\s*\(|\.(?:models\.)?generate_content(?:_stream|_async)?\s*\("
    ),
}
_ORPHAN["web"] = _ORPHAN["js"]


# A client class several packages provide (autoloaded in Ruby and PHP): the name a source
# pattern reports -> the packages that may really provide it, as the manifest declares them.
SDK_ALIASES: dict[str, tuple[str, ...]] = {
    "openai": ("ruby-openai",),
    "anthropic": ("ruby-anthropic",),
    "openai-php/client": ("openai-php/laravel",),
    "anthropic-php": ("mozex/anthropic-php", "mozex/anthropic-laravel", "anthropic-ai/sdk"),
    "prism-php/prism": ("echolabsdev/prism",),
    "google-gemini-php/client": ("google-gemini-php/laravel",),
}


def resolve_orphan(family: str, project_sdks: list[str]) -> str | None:
    """The project's SDK an orphan call of `family` ("openai" or "google") most likely uses."""
    members = _GOOGLE_FAM if family == "google" else _OPENAI_FAM
    for preferred in (members[0], *members):
        for sdk in project_sdks:
            if _in_family(sdk, (preferred,)):
                return sdk
    return None


@dataclass
class _Compiled:
    calls: list[tuple[re.Pattern[str], _Family]]
    autoload: list[tuple[re.Pattern[str], str]]
    any_call: re.Pattern[str] | None


def _compile(lang: str) -> _Compiled:
    calls = [(re.compile(p), fam) for p, fam in _CALLS.get(lang, [])]
    autoload = [(re.compile(p), sdk) for p, sdk in _AUTOLOAD.get(lang, [])]
    parts = [p for p, _ in _CALLS.get(lang, [])] + [p for p, _ in _AUTOLOAD.get(lang, [])]
    any_call = re.compile("|".join(f"(?:{p})" for p in parts)) if parts else None
    return _Compiled(calls, autoload, any_call)


_COMPILED: dict[str, _Compiled] = {lang: _compile(lang) for lang in _COMMENT_RE}


def _in_family(sdk: str, family: Iterable[str]) -> bool:
    for member in family:
        if member.endswith("*"):
            if sdk.startswith(member[:-1]):
                return True
        elif sdk == member:
            return True
    return False


def _generic_sdk(text: str, imported: list[str]) -> str:
    """Attribute a generic client method to the imported SDK it most likely belongs to."""
    lowered = text.lower()
    if "messages" in lowered and "completions" not in lowered:
        preferred: tuple[str, ...] = _ANTHROPIC_FAM
    elif "generatecontent" in lowered or "generate_content" in lowered:
        preferred = _GOOGLE_FAM
    else:
        preferred = _OPENAI_FAM
    for sdk in imported:
        if _in_family(sdk, preferred):
            return sdk
    return imported[0]


def looks_minified(text: str) -> bool:
    return len(text) > 20_000 and text.count("\n") < len(text) // 1000


def scan_source(text: str, lang: str) -> list[Hit]:
    """LLM imports, client calls and endpoint URLs in one source file, in line order."""
    if lang not in _COMPILED or looks_minified(text) or not keywords_in(text.lower(), lang):
        return []
    code = strip_comments(text, lang)
    keys = keywords_in(code.lower(), lang)
    if not keys:
        return []
    line_filter = _line_filter(keys)
    lines = code.split("\n")
    keyword_lines = [
        (idx, line) for idx, line in enumerate(lines) if len(line) <= MAX_LINE and line_filter.search(line)
    ]
    compiled = _COMPILED[lang]
    hits: dict[tuple[int, str, str], Hit] = {}
    imported: list[str] = []

    def add(lineno: int, sdk: str, kind: LlmKind) -> None:
        key = (lineno, sdk, kind)
        if key not in hits:
            hits[key] = Hit(lineno, sdk, kind)

    # Imports and endpoints first: every call pattern depends on what the file imports.
    for idx, line in keyword_lines:
        sdks = _imports(lang, line)
        if sdks:
            lineno = idx + 1
            if lang in ("js", "web"):
                lineno = _js_statement_start(lines, idx)
                if _JS_TYPE_ONLY.match(lines[lineno - 1]):
                    sdks = []
            for sdk in sdks:
                add(lineno, sdk, "import")
                if sdk not in imported:
                    imported.append(sdk)
        for m in _ENDPOINT.finditer(line):
            add(idx + 1, _endpoint_sdk(m.group(1)), "http")
    if lang in ("js", "web") and "@cf/" in keys:
        # Cloudflare Workers AI through its binding: `env.AI.run("@cf/meta/llama-3.1-8b-instruct")`.
        for m in _WORKERS_AI_RUN.finditer(code):
            add(code.count("\n", 0, m.start()) + 1, "cloudflare:workers-ai", "call")
    if lang == "py" and "bedrock" in keys:
        # `boto3.client("bedrock-runtime")`: the AWS SDK is no LLM SDK, its Bedrock client is.
        for m in _BOTO_BEDROCK.finditer(code):
            add(code.count("\n", 0, m.start()) + 1, f"boto3:{m.group(1).lower()}", "call")
    # Calls are matched with string literals emptied.
    bare = strip_comments(text, lang, blank_strings=True).split("\n")
    bare_keyword_lines = [(idx, bare[idx]) for idx, _ in keyword_lines if idx < len(bare)]
    # Autoloaded clients (Ruby, PHP) and Elixir modules need no import statement.
    for idx, line in bare_keyword_lines:
        for pattern, sdk in compiled.autoload:
            if pattern.search(line):
                add(idx + 1, sdk, "call")
                if sdk not in imported:
                    imported.append(sdk)
        if lang == "ex":
            em = _EX_MODULE.search(line)
            if em and not _EX_DIRECTIVE.match(line):
                add(idx + 1, _EX_LIBS[em.group(1)], "call")
    # A file that imports no SDK but calls a client made elsewhere (`import { openai } from
    # "@/lib/openai"`): only unmistakable method chains, attributed later to the project's SDK.
    orphan = _ORPHAN.get(lang)
    if not imported and orphan is not None:
        for idx, line in bare_keyword_lines:
            om = orphan.search(line)
            if om:
                family = "google" if "enerate" in om.group(0) else "openai"
                add(idx + 1, f"{UNRESOLVED}{family}", "call")
    # Client calls, only in a file that uses an LLM SDK.
    if imported and compiled.any_call is not None:
        hints = _CALL_HINTS.get(lang, ())
        for idx, line in enumerate(bare):
            if len(line) > MAX_LINE:
                continue
            lowered = line.lower()
            if any(h in lowered for h in hints) and compiled.any_call.search(line):
                _match_calls(line, idx + 1, compiled, imported, add)
    ordered = sorted(hits.values(), key=lambda h: (h.line, h.kind, h.sdk))
    if any(h.sdk in MEDIA_SDKS for h in ordered) and not LANGUAGE_MODEL_HINT.search(code):
        ordered = [h for h in ordered if h.sdk not in MEDIA_SDKS]  # an image or audio model
    return ordered[:MAX_HITS_PER_FILE]


def _match_calls(
    line: str,
    lineno: int,
    compiled: _Compiled,
    imported: list[str],
    add: Callable[[int, str, LlmKind], None],
) -> None:
    if not imported:
        return
    for pattern, family in compiled.calls:
        m = pattern.search(line)
        if not m:
            continue
        if family is None:
            add(lineno, _generic_sdk(m.group(0), imported), "call")
            continue
        members = [sdk for sdk in imported if _in_family(sdk, family)]
        if members:
            # `createXai(` belongs to @ai-sdk/xai even when @ai-sdk/groq is imported first.
            called = m.group(0).lower()
            named = [sdk for sdk in members if sdk.rsplit("/", 1)[-1].replace("-", "") in called]
            add(lineno, (named or members)[0], "call")


def _js_statement_start(lines: list[str], idx: int) -> int:
    """1-based line where the import/export statement holding line `idx` begins."""
    if re.search(r"\b(?:import|require|export)\b", lines[idx]):
        return idx + 1
    for back in range(idx - 1, max(-1, idx - 50), -1):
        if _JS_STMT_START.match(lines[back]):
            return back + 1
        if ";" in lines[back]:
            break
    return idx + 1
