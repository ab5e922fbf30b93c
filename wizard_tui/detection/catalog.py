"""Which declared packages are PostHog SDKs and which are LLM SDKs, per package ecosystem.

`ECOSYSTEMS` holds one record per ecosystem (npm, pypi, composer, gem, go, cargo, maven,
pub, hex, swift): how its names are compared (PyPI's canonical form, the rest lower-cased)
and which names are LLM SDKs and PostHog SDKs. The client families say which packages a
call shape in source belongs to. What a list of names is, and how a name is looked up in
one, is `package_names.py`: this module is the names, and the three look-ups callers use.
"""

from __future__ import annotations

import re

from packaging.utils import canonicalize_name

from wizard_tui.detection.package_names import EcosystemNames, Names

# --- LLM SDKs ---------------------------------------------------------------------------

_NPM_LLM = frozenset(
    {
        "openai",
        "ai",
        "langchain",
        "llamaindex",
        "cohere-ai",
        "groq-sdk",
        "together-ai",
        "replicate",
        "ollama",
        "portkey-ai",
        "openai-edge",
        "@google/genai",
        "@google/generative-ai",
        "@google-cloud/vertexai",
        "@huggingface/inference",
        "@azure/openai",
        "@aws-sdk/client-bedrock-runtime",
        "@mastra/core",
        "@instructor-ai/instructor",
        "@posthog/ai",
        "@anthropic-ai/sdk",
        "@mistralai/mistralai",
        "@openrouter/ai-sdk-provider",
        "@openai/agents",
        "@langchain/core",
        "genkit",
        "@genkit-ai/googleai",
        "@genkit-ai/ai",
        "@fal-ai/client",
        "@cerebras/cerebras_cloud_sdk",
        "chatgpt",
        "node-llama-cpp",
        "workers-ai-provider",
        "@cloudflare/ai",
    }
)
_NPM_LLM_SCOPES = (
    "@anthropic-ai/",
    "@ai-sdk/",
    "@langchain/",
    "@llamaindex/",
    "@mistralai/",
    "@openai/",
    "@genkit-ai/",
)

_PYPI_LLM = frozenset(
    {
        "openai",
        "anthropic",
        "litellm",
        "mistralai",
        "cohere",
        "google-generativeai",
        "google-genai",
        "groq",
        "together",
        "replicate",
        "ollama",
        "pydantic-ai",
        "pydantic-ai-slim",
        "crewai",
        "instructor",
        "dspy",
        "dspy-ai",
        "langgraph",
        "llama-index",
        "openai-agents",
        "fireworks-ai",
        "ai21",
        "vertexai",
        "google-cloud-aiplatform",
        "smolagents",
        "haystack-ai",
        "semantic-kernel",
        "pyautogen",
        "autogen-agentchat",
        "mirascope",
        "portkey-ai",
        "cerebras-cloud-sdk",
        "deepseek",
        "huggingface-hub",
        "llm",
        "marvin",
        "agno",
        "strands-agents",
        "llama-cpp-python",
    }
)
_PYPI_LLM_PREFIXES = ("langchain", "llama-index-", "langgraph-")

_GEM_LLM = frozenset(
    {
        "ruby-openai",
        "openai",
        "anthropic",
        "ruby-anthropic",
        "langchainrb",
        "ruby_llm",
        "omniai",
        "gemini-ai",
        "groq",
        "ollama-ai",
        "cohere-ruby",
        "raix",
        "active_agent",
    }
)
_COMPOSER_LLM = frozenset(
    {
        "openai-php/client",
        "openai-php/laravel",
        "anthropic-ai/sdk",
        "mozex/anthropic-php",
        "mozex/anthropic-laravel",
        "prism-php/prism",
        "echolabsdev/prism",
        "theodo-group/llphant",
        "google-gemini-php/client",
        "google-gemini-php/laravel",
        "orhanerday/open-ai",
        "neuron-core/neuron-ai",
        "symfony/ai-platform",
        "laravel/ai",
    }
)
_GO_LLM_MODULES = (
    "github.com/sashabaranov/go-openai",
    "github.com/openai/openai-go",
    "github.com/anthropics/anthropic-sdk-go",
    "github.com/tmc/langchaingo",
    "google.golang.org/genai",
    "github.com/google/generative-ai-go",
    "github.com/liushuangls/go-anthropic",
    "github.com/ollama/ollama",
    "github.com/cohere-ai/cohere-go",
    "github.com/firebase/genkit/go",
    "github.com/cloudwego/eino",
    "github.com/aws/aws-sdk-go-v2/service/bedrockruntime",
)
_CARGO_LLM = frozenset(
    {
        "async-openai",
        "openai-api-rs",
        "openai",
        "anthropic",
        "anthropic-sdk",
        "misanthropy",
        "rig-core",
        "ollama-rs",
        "genai",
        "llm-chain",
        "langchain-rust",
        "mistralai-client",
        "clust",
        "gemini-rs",
    }
)
_MAVEN_LLM_PREFIXES = (
    "com.openai:",
    "com.anthropic:",
    "dev.langchain4j:",
    "com.aallam.openai:",
    "org.springframework.ai:",
    "com.google.genai:",
    "com.google.ai.client.generativeai:",
    "com.google.firebase:firebase-ai",
    "com.google.firebase:firebase-vertexai",
    "com.theokanning.openai-gpt3-java:",
    "io.github.sashirestela:simple-openai",
    "ai.koog:",
    "software.amazon.awssdk:bedrockruntime",
)
_PUB_LLM = frozenset(
    {
        "dart_openai",
        "openai_dart",
        "google_generative_ai",
        "firebase_vertexai",
        "firebase_ai",
        "langchain",
        "langchain_openai",
        "langchain_google",
        "anthropic_sdk_dart",
        "mistralai_dart",
        "ollama_dart",
        "googleai_dart",
        "chat_gpt_sdk",
    }
)
_HEX_LLM = frozenset(
    {
        "openai",
        "openai_ex",
        "anthropix",
        "anthropic",
        "langchain",
        "instructor",
        "instructor_lite",
        "req_llm",
        "ex_openai",
        "gemini_ex",
        "ollama",
    }
)
_SWIFT_LLM = frozenset(
    {
        "openai",
        "generative-ai-swift",
        "swiftanthropic",
        "aiproxyswift",
        "swiftopenai",
        "openaikit",
        "anthropic-swift-sdk",
    }
)


# Hosts that run image, audio and video models as readily as LLMs (Replicate, fal, Workers
# AI): an LLM SDK only where the code names a language model. roomGPT and restorePhotos call
# Replicate for images.
MEDIA_SDKS = frozenset(
    {
        "replicate",
        "http:api.replicate.com",
        "@fal-ai/client",
        "@fal-ai/serverless-client",
        "fal-client",
        "cloudflare:workers-ai",
    }
)
LANGUAGE_MODEL_HINT = re.compile(
    r"llama|mistral|mixtral|gpt-[0-9o]|claude|gemma|gemini|qwen|deepseek|phi-[0-9]|granite|falcon|vicuna|"
    r"any-llm|\bllm\b|[-_]instruct\b|[-_]chat\b|command-r|hermes|zephyr|kimi|\bgrok",
    re.I,
)


# --- client families ----------------------------------------------------------------------
# A family lists the packages (a name, or a prefix ending in "*") whose client a call shape
# belongs to: `new OpenAI(` is an OpenAI-compatible client whether `openai`, a LangChain
# wrapper or PostHog's wrapper provides it. The first member is the family's own SDK.

Family = tuple[str, ...] | None  # None: a generic client method, any imported LLM SDK's
OPENAI_FAMILY: tuple[str, ...] = (
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
ANTHROPIC_FAMILY: tuple[str, ...] = (
    "@anthropic-ai/*",
    "anthropic",
    "@posthog/ai",
    "posthog[ai]",
    "langchain*",
    "@langchain/*",
    "llama-index",
)
GOOGLE_FAMILY: tuple[str, ...] = (
    "@google/genai",
    "@google/generative-ai",
    "@google-cloud/vertexai",
    "google-genai",
    "google-generativeai",
    "vertexai",
    "posthog[ai]",
)


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


# --- PostHog SDKs ---------------------------------------------------------------------------

# Tools, plugin kits and design assets of the @posthog scope: not an SDK sending events.
_NPM_POSTHOG_EXCLUDED = frozenset(
    {
        "@posthog/wizard",
        "@posthog/cli",
        "@posthog/icons",
        "@posthog/plugin-scaffold",
        "@posthog/plugin-contrib",
        "@posthog/hogvm",
        "@posthog/lemon-ui",
    }
)

# --- the ecosystems ------------------------------------------------------------------------


def _names(*exact: str, prefixes: tuple[str, ...] = ()) -> Names:
    return Names(frozenset(exact), prefixes)


ECOSYSTEMS: dict[str, EcosystemNames] = {
    "npm": EcosystemNames(
        Names(_NPM_LLM, _NPM_LLM_SCOPES),
        Names(frozenset({"posthog"}), ("posthog-", "@posthog/"), ("-posthog",), _NPM_POSTHOG_EXCLUDED),
    ),
    "pypi": EcosystemNames(
        Names(_PYPI_LLM, _PYPI_LLM_PREFIXES), _names("posthog", "posthoganalytics"), normal=canonicalize_name
    ),
    "gem": EcosystemNames(
        Names(_GEM_LLM, ("omniai-", "ruby_llm-", "langchainrb")), _names("posthog-ruby", "posthog-rails", "posthog")
    ),
    "composer": EcosystemNames(Names(_COMPOSER_LLM), _names(prefixes=("posthog/",))),
    # A Go module path names its packages below it too.
    "go": EcosystemNames(
        Names(frozenset(_GO_LLM_MODULES), tuple(m + "/" for m in _GO_LLM_MODULES)),
        _names(prefixes=("github.com/posthog/posthog-go",)),
    ),
    "cargo": EcosystemNames(Names(_CARGO_LLM), _names("posthog-rs", "posthog")),
    "maven": EcosystemNames(
        Names(prefixes=_MAVEN_LLM_PREFIXES),
        _names(prefixes=("com.posthog:", "com.posthog.android:", "com.posthog.java:")),
    ),
    "pub": EcosystemNames(Names(_PUB_LLM), _names("posthog_flutter", "posthog_dart")),
    "hex": EcosystemNames(Names(_HEX_LLM), _names("posthog")),
    "swift": EcosystemNames(Names(_SWIFT_LLM), _names("posthog-ios", "posthog")),
}


def is_llm_package(eco: str, name: str) -> bool:
    """A declared or imported LLM SDK."""
    ecosystem = ECOSYSTEMS.get(eco)
    return ecosystem is not None and ecosystem.normal(name.lower()) in ecosystem.llm


def is_posthog_package(eco: str, name: str) -> bool:
    """A declared PostHog SDK (never a word in prose: callers only pass manifest entries)."""
    ecosystem = ECOSYSTEMS.get(eco)
    return ecosystem is not None and ecosystem.normal(name.lower()) in ecosystem.posthog


def go_llm_module(path: str) -> str | None:
    """The LLM SDK module a Go import path or module path belongs to, if any."""
    n = path.lower()
    return next((m for m in _GO_LLM_MODULES if n == m or n.startswith(m + "/")), None)
