"""The source languages detection reads: one record per language, everything the scanner needs.

A record says how the language's comments and strings are written (so a commented-out
import is never a call), which cheap literals must be on a line before any pattern runs,
how an import names an LLM SDK, and which client calls count; which files are the
language's is the domain's `SOURCE_EXTENSIONS`. Adding a language is adding its
extensions there and one record to `LANGUAGES`. Every pattern here is ours: no regex from
the user's project ever runs.

A call pattern's family (see `catalog.py`) says which imported SDKs it belongs to; the
`generic_call` methods count in any file importing an LLM SDK, under the likeliest one.
What a record is, and what it derives from its fields, is `language_record.py`: this
module is the table only.
"""

from __future__ import annotations

import re
from dataclasses import replace

from wizard_tui.detection.catalog import ANTHROPIC_FAMILY, GOOGLE_FAMILY, OPENAI_FAMILY, go_llm_module, is_llm_package
from wizard_tui.detection.imports import alternation, by_pattern, by_table, js_imports, python_imports
from wizard_tui.detection.language_record import FileCall, Language, Named, autoload_rules, call_rules

# --- comment and string syntax --------------------------------------------------------------

_DQ = r'"(?:\\.|[^"\\\n])*"'
_SQ = r"'(?:\\.|[^'\\\n])*'"
_CBLOCK = r"/\*[\s\S]*?\*/"
_TEMPLATE = r"`(?:\\.|[^`\\])*`"
_JS_COMMENTS = rf"//[^\n]*|{_CBLOCK}|{_DQ}|{_SQ}|{_TEMPLATE}"

# --- prefilter literals ---------------------------------------------------------------------
# Plain substring tests are an order of magnitude faster than one big regex; a file without
# any of a language's keywords is never looked at line by line.

# SDK names every language shares, and the anchors of every endpoint in source_scan._ENDPOINT.
COMMON_KEYWORDS: tuple[str, ...] = (
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
_METHOD_KEYWORDS = ("completions.create", "completions.parse", "completions.stream", "responses.create")


def _keywords(*extra: str) -> tuple[str, ...]:
    return COMMON_KEYWORDS + extra


# --- JavaScript and TypeScript --------------------------------------------------------------

_JS = Language(
    id="javascript",
    comments=re.compile(_JS_COMMENTS),
    imports=js_imports,
    multiline_imports=True,
    browser=True,
    keywords=_keywords(
        *_METHOD_KEYWORDS,
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
    call_hints=("new ", "generat", "stream", "embed", "create", "complete", "parse", "counttokens"),
    calls=call_rules(
        (r"\bnew\s+(?:OpenAI|AzureOpenAI)\s*\(", OPENAI_FAMILY),
        (r"\bnew\s+Anthropic(?:Bedrock|Vertex|Foundry)?\s*\(", ANTHROPIC_FAMILY),
        (
            r"\bnew\s+(?:GoogleGenAI|GoogleGenerativeAI|VertexAI)\s*\(|\.getGenerativeModel\s*\(",
            GOOGLE_FAMILY,
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
    ),
    generic_call=(
        r"\.(?:chat\.completions\.(?:create|parse|stream)|responses\.(?:create|parse|stream)|"
        r"completions\.create|embeddings\.create|images\.generate|"
        r"messages\.(?:create|stream|countTokens)|models\.generateContent(?:Stream)?|"
        r"generateContent(?:Stream)?|chat\.complete|chat\.stream)\s*\("
    ),
    orphan=re.compile(
        r"\.chat\.completions\.(?:create|parse|stream)\s*\(|\.responses\.(?:create|parse|stream)\s*\(|"
        r"\.embeddings\.create\s*\(|\.(?:models\.)?generateContent(?:Stream)?\s*\("
    ),
    file_calls=(
        # Cloudflare Workers AI through its binding: `env.AI.run("@cf/meta/llama-3.1-8b-instruct")`.
        FileCall("@cf/", re.compile(r"\.AI\.run\s*\("), lambda m: "cloudflare:workers-ai"),
    ),
)

# Elixir client modules, imported or called by name.
_EX_MODULES = {
    "OpenaiEx": "openai_ex",
    "Anthropix": "anthropix",
    "ReqLLM": "req_llm",
    "InstructorLite": "instructor_lite",
    "Instructor": "instructor",
    "LangChain.ChatModels": "langchain",
    "OpenAI": "openai",
}

# --- the languages ----------------------------------------------------------------------------

LANGUAGES: tuple[Language, ...] = (
    _JS,
    # Single-file components: JavaScript inside markup, so HTML comments too.
    replace(
        _JS,
        id="component",
        comments=re.compile(rf"<!--[\s\S]*?-->|{_JS_COMMENTS}"),
    ),
    Language(
        id="python",
        comments=re.compile(rf'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|{_DQ}|{_SQ}'),
        doc_strings=True,
        imports=python_imports,
        keywords=_keywords(
            *_METHOD_KEYWORDS,
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
        call_hints=(
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
        calls=call_rules(
            (r"\b(?:Async)?(?:Azure)?OpenAI\s*\(", OPENAI_FAMILY),
            (r"\b(?:Async)?Anthropic(?:Bedrock|Vertex|Foundry)?\s*\(", ANTHROPIC_FAMILY),
            (r"\bgenai\.(?:Client|GenerativeModel|configure)\s*\(|\bGenerativeModel\s*\(", GOOGLE_FAMILY),
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
        ),
        generic_call=(
            r"\.(?:chat\.completions\.(?:create|parse|stream)|responses\.(?:create|parse|stream)|"
            r"completions\.create|embeddings\.create|images\.generate|"
            r"messages\.(?:create|stream|count_tokens)|models\.generate_content(?:_stream)?|"
            r"generate_content(?:_async)?|chat\.complete(?:_async)?|chat\.stream(?:_async)?|"
            r"a?invoke|run_sync)\s*\("
        ),
        orphan=re.compile(
            r"\.chat\.completions\.(?:create|parse|stream)\s*\(|\.responses\.(?:create|parse|stream)\s*\(|"
            r"\.embeddings\.create\s*\(|\.(?:models\.)?generate_content(?:_stream|_async)?\s*\("
        ),
        file_calls=(
            # `boto3.client("bedrock-runtime")`: the AWS SDK is no LLM SDK, its Bedrock client is.
            FileCall(
                "bedrock",
                re.compile(
                    r"""\bclient\(\s*(?:service_name\s*=\s*)?["'](bedrock(?:-agent)?-runtime)["']""",
                    re.I,
                ),
                lambda m: f"boto3:{m.group(1).lower()}",
            ),
        ),
    ),
    Language(
        id="ruby",
        comments=re.compile(rf"#[^\n]*|^=begin[\s\S]*?^=end|{_DQ}|{_SQ}", re.M),
        imports=by_table(
            r"""^\s*require\s*\(?\s*["']""",
            {
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
            },
            r"""["']""",
        ),
        keywords=_keywords("rubyllm", "ruby_llm", "omniai", "raix"),
        call_hints=("create", "parameters:"),
        generic_call=(
            r"\.messages\.create\s*\(|\.chat\.completions\.create\s*\(|\.responses\.create\s*\(|"
            r"\.(?:chat|completions|embeddings)\s*\(\s*parameters:"
        ),
        autoload=autoload_rules(
            (r"\bOpenAI::Client\.new\b", "openai"),
            (r"\bAnthropic::Client\.new\b", "anthropic"),
            (r"\bRubyLLM\.(?:chat|embed|paint)\b", "ruby_llm"),
            (r"\bLangchain::LLM::\w+\.new\b", "langchainrb"),
            (r"\bOmniAI::\w+::Client\.new\b", "omniai"),
        ),
    ),
    Language(
        id="go",
        comments=re.compile(rf"//[^\n]*|{_CBLOCK}|{_DQ}|`[^`]*`|{_SQ}"),
        imports=by_pattern(r'^\s*(?:import\s+)?(?:[\w.]+\s+)?"([^"\s]+)"\s*\)?\s*;?\s*$', go_llm_module),
        keywords=_keywords("cloudwego", "genkit", "cohere-go"),
        call_hints=("new", "create", "generate"),
        generic_call=(
            r"\.(?:Chat\.Completions\.New(?:Streaming)?|Responses\.New(?:Streaming)?|"
            r"Messages\.New(?:Streaming)?|CreateChatCompletion(?:Stream)?|CreateCompletion(?:Stream)?|"
            r"CreateEmbeddings|GenerateContent(?:Stream)?)\s*\(|\bllms\.GenerateFromSinglePrompt\s*\(|"
            r"\b(?:openai|anthropic|genai)\.NewClient\w*\s*\("
        ),
    ),
    Language(
        id="php",
        comments=re.compile(rf"//[^\n]*|#(?!\[)[^\n]*|{_CBLOCK}|{_DQ}|{_SQ}"),
        imports=by_table(
            r"^\s*use\s+(?:function\s+)?\\?",
            {
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
            },
            r"\b",
        ),
        keywords=_keywords("prism\\", "prism::", "llphant", "neuronai", "symfony\\ai", "laravel\\ai"),
        call_hints=("create", "generatecontent"),
        generic_call=r"->(?:chat|messages|completions|responses)\(\)->create\s*\(|->generateContent\s*\(",
        autoload=autoload_rules(
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
        ),
    ),
    Language(
        id="rust",
        comments=re.compile(rf'//[^\n]*|{_CBLOCK}|"(?:\\.|[^"\\])*"'),
        imports=by_table(
            r"^\s*(?:pub\s+)?use\s+",
            {
                "async_openai": "async-openai",
                "openai_api_rs": "openai-api-rs",
                "anthropic_sdk": "anthropic-sdk",
                "anthropic": "anthropic",
                "misanthropy": "misanthropy",
                "rig": "rig-core",
                "ollama_rs": "ollama-rs",
                "genai": "genai",
                "langchain_rust": "langchain-rust",
                "llm_chain": "llm-chain",
                "mistralai_client": "mistralai-client",
                "clust": "clust",
                "openai": "openai",
            },
            r"\b",
        ),
        keywords=_keywords("misanthropy", "use clust", "use rig", "llm_chain"),
        call_hints=("create", "exec_chat"),
        generic_call=r"\.chat\(\)\s*\.create\s*\(|\.exec_chat\s*\(|\.create_message\s*\(",
    ),
    Language(
        id="elixir",
        comments=re.compile(rf'#[^\n]*|"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|{_DQ}'),
        doc_strings=True,
        imports=by_table(r"^\s*(?:alias|import|use|require)\b.*?\b", _EX_MODULES, r"\.\w+"),
        keywords=_keywords("anthropix", "reqllm", "instructor"),
        # Modules are called by name, with no import needed.
        autoload=(Named(re.compile(rf"\b({alternation(_EX_MODULES)})\.\w+"), _EX_MODULES),),
        directive=re.compile(r"^\s*(?:alias|import|use|require)\b"),
    ),
    Language(
        id="dart",
        comments=re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}|{_SQ}'),
        imports=by_pattern(
            r"""^\s*import\s+["']package:(\w+)/""", lambda name: name if is_llm_package("pub", name) else None
        ),
        keywords=_keywords("firebase_ai", "googleai", "chat_gpt"),
        call_hints=("generativemodel", "openai", "anthropicclient", "firebase", "generatecontent"),
        generic_call=(
            r"\bGenerativeModel\s*\(|\bOpenAI\.(?:instance|apiKey)\b|\bOpenAIClient\s*\(|"
            r"\bAnthropicClient\s*\(|\bFirebaseAI\.\w+\s*\(|\bFirebaseVertexAI\.\w+\s*\(|"
            r"\.generateContent(?:Stream)?\s*\("
        ),
    ),
    Language(
        id="jvm",
        comments=re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}|{_SQ}'),
        imports=by_table(
            r"^\s*import\s+(?:static\s+)?",
            {
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
            },
            r"\b",
        ),
        keywords=_keywords("springframework.ai", "koog", "firebase.ai"),
        call_hints=(
            "okhttpclient",
            "openai(",
            "generativemodel",
            "chatmodel",
            "create",
            "generatecontent",
            "chatcompletion",
            "chatclient",
        ),
        generic_call=(
            r"\b(?:OpenAIOkHttpClient|AnthropicOkHttpClient)(?:Async)?\.(?:builder|fromEnv)\s*\(|"
            r"\bOpenAI\s*\(|\bGenerativeModel\s*\(|\b\w+ChatModel\.builder\s*\(|"
            r"\.(?:chat\(\)\.completions\(\)|messages\(\)|responses\(\))\.create\s*\(|"
            r"\.generateContent\s*\(|\.chatCompletion\s*\(|\bChatClient\.(?:create|builder)\s*\("
        ),
    ),
    Language(
        id="swift",
        comments=re.compile(rf'//[^\n]*|{_CBLOCK}|"""[\s\S]*?"""|{_DQ}'),
        imports=by_table(
            r"^\s*import\s+",
            {
                "OpenAI": "openai",
                "GoogleGenerativeAI": "generative-ai-swift",
                "SwiftAnthropic": "swiftanthropic",
                "FirebaseAI": "firebase-ai",
                "FirebaseVertexAI": "firebase-vertexai",
                "AIProxy": "aiproxyswift",
                "SwiftOpenAI": "swiftopenai",
                "OpenAIKit": "openaikit",
            },
            r"\s*$",
        ),
        keywords=_keywords("firebaseai", "aiproxy"),
        call_hints=(
            "openai(",
            "generativemodel",
            "generatecontent",
            "chats(",
            "servicefactory",
            "firebaseai",
            "vertexai",
        ),
        generic_call=(
            r"\bOpenAI\s*\(\s*(?:apiToken|configuration)\s*:|\bGenerativeModel\s*\(|"
            r"\.generateContent\s*\(|\.chats\s*\(\s*query\s*:|"
            r"\b(?:AnthropicServiceFactory|OpenAIServiceFactory)\.service\s*\(|"
            r"\bFirebaseAI\.firebaseAI\s*\(|\bVertexAI\.vertexAI\s*\("
        ),
    ),
)

LANGUAGE_BY_ID: dict[str, Language] = {lang.id: lang for lang in LANGUAGES}
LANGUAGE_BY_EXT: dict[str, Language] = {ext: lang for lang in LANGUAGES for ext in lang.extensions}
