"""One record per framework: its name, ecosystem, PostHog SDKs and where PostHog starts.

Detection names the framework, the offline agent and the real task bodies decide what to
propose from it, and the report tells the user what to set: all of them read this table,
none keeps its own copy. The facts are PostHog's integration guides, in our own words.
The order of detection is not this table's: it is the detection rule list's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Ecosystem = Literal[
    "javascript", "python", "php", "ruby", "dart", "kotlin", "swift", "elixir", "go", "rust", "java", "none"
]


@dataclass(frozen=True)
class Framework:
    """What the wizard knows about one framework id of SPEC §5."""

    id: str
    name: str
    ecosystem: Ecosystem
    sdks: tuple[str, ...]  # PostHog packages to declare, in the ecosystem's package naming
    init_where: str  # where PostHog is initialised, one sentence for prompts and the report
    key_env: str | None = None  # the env var holding the project key, as the app reads it
    host_env: str | None = None
    llm_sdk: str | None = None  # the package with PostHog's LLM analytics wrappers, when separate
    offline: bool = False  # the offline agent integrates it without a model
    docs: str | None = None  # PostHog's guide for it: the report's manual steps point there


_JS_LLM = "@posthog/ai"

FRAMEWORKS: dict[str, Framework] = {
    f.id: f
    for f in (
        Framework(
            "nextjs",
            "Next.js",
            "javascript",
            ("posthog-js", "posthog-node"),
            "instrumentation-client.ts on Next.js 15.3 and later; otherwise a client provider in the App Router's "
            "root layout or in pages/_app for the Pages Router; posthog-node for server code",
            "NEXT_PUBLIC_POSTHOG_KEY",
            "NEXT_PUBLIC_POSTHOG_HOST",
            _JS_LLM,
            offline=True,
            docs="https://posthog.com/docs/libraries/next-js",
        ),
        Framework(
            "nuxt",
            "Nuxt",
            "javascript",
            ("posthog-js",),
            "a client-only Nuxt plugin (plugins/posthog.client.ts) reading the runtime config",
            "NUXT_PUBLIC_POSTHOG_KEY",
            "NUXT_PUBLIC_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/nuxt-js",
        ),
        Framework(
            "vue",
            "Vue",
            "javascript",
            ("posthog-js",),
            "a Vue plugin installed in the app's entry (src/main.ts) before mount",
            "VITE_POSTHOG_KEY",
            "VITE_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/vue-js",
        ),
        Framework(
            "react-router",
            "React Router",
            "javascript",
            ("posthog-js",),
            "framework mode: the client entry (app/entry.client.tsx) or a provider in app/root.tsx; "
            "library mode: the SPA's entry",
            "VITE_POSTHOG_KEY",
            "VITE_POSTHOG_HOST",
            _JS_LLM,
            offline=True,
            docs="https://posthog.com/docs/libraries/react-router",
        ),
        Framework(
            "tanstack-start",
            "TanStack Start",
            "javascript",
            ("posthog-js", "posthog-node"),
            "a provider in the root route (src/routes/__root.tsx); posthog-node in server functions",
            "VITE_POSTHOG_KEY",
            "VITE_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/tanstack-start",
        ),
        Framework(
            "tanstack-router",
            "TanStack Router",
            "javascript",
            ("posthog-js",),
            "the SPA's entry (src/main.tsx) before the router renders",
            "VITE_POSTHOG_KEY",
            "VITE_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/react",
        ),
        Framework(
            "react-native",
            "React Native",
            "javascript",
            ("posthog-react-native",),
            "a PostHogProvider around the root component (App.tsx, or app/_layout.tsx with Expo Router)",
            "EXPO_PUBLIC_POSTHOG_KEY",
            "EXPO_PUBLIC_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/react-native",
        ),
        Framework(
            "angular",
            "Angular",
            "javascript",
            ("posthog-js",),
            "src/main.ts before bootstrapApplication, outside Angular's zone",
            None,
            None,
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/angular",
        ),
        Framework(
            "astro",
            "Astro",
            "javascript",
            ("posthog-js",),
            "a PostHog component included in the head of the shared layout",
            "PUBLIC_POSTHOG_KEY",
            "PUBLIC_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/astro",
        ),
        Framework(
            "django",
            "Django",
            "python",
            ("posthog",),
            "settings.py reads the key from the environment and an AppConfig.ready() configures the client once",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            offline=True,
            docs="https://posthog.com/docs/libraries/django",
        ),
        Framework(
            "flask",
            "Flask",
            "python",
            ("posthog",),
            "the app factory (create_app) or the module that creates the Flask app",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            offline=True,
            docs="https://posthog.com/docs/libraries/flask",
        ),
        Framework(
            "fastapi",
            "FastAPI",
            "python",
            ("posthog",),
            "the app's lifespan: configure at start-up, flush at shut-down",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            offline=True,
            docs="https://posthog.com/docs/libraries/python",
        ),
        Framework(
            "laravel",
            "Laravel",
            "php",
            ("posthog/posthog-php",),
            "a service provider's boot() reading config/services.php",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/laravel",
        ),
        Framework(
            "sveltekit",
            "SvelteKit",
            "javascript",
            ("posthog-js", "posthog-node"),
            "src/hooks.client.ts (or the root +layout.ts in the browser); posthog-node in server hooks",
            "PUBLIC_POSTHOG_KEY",
            "PUBLIC_POSTHOG_HOST",
            _JS_LLM,
            docs="https://posthog.com/docs/libraries/svelte",
        ),
        Framework(
            "flutter",
            "Flutter",
            "dart",
            ("posthog_flutter",),
            "main() before runApp, with the key in the platform configuration",
            docs="https://posthog.com/docs/libraries/flutter",
        ),
        Framework(
            "kmp",
            "Kotlin Multiplatform",
            "kotlin",
            ("com.posthog:posthog-android",),
            "the Android application's onCreate",
            docs="https://posthog.com/docs/libraries/android",
        ),
        Framework(
            "swift",
            "Swift",
            "swift",
            ("posthog-ios",),
            "the app's start (App init or application(_:didFinishLaunchingWithOptions:))",
            docs="https://posthog.com/docs/libraries/ios",
        ),
        Framework(
            "android",
            "Android",
            "kotlin",
            ("com.posthog:posthog-android",),
            "the Application subclass's onCreate",
            docs="https://posthog.com/docs/libraries/android",
        ),
        Framework(
            "rails",
            "Ruby on Rails",
            "ruby",
            ("posthog-ruby",),
            "an initializer, config/initializers/posthog.rb",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/ruby-on-rails",
        ),
        Framework(
            "elixir",
            "Elixir",
            "elixir",
            ("posthog",),
            "the application's config (config/runtime.exs) read by the client at start",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/elixir",
        ),
        Framework(
            "go",
            "Go",
            "go",
            ("github.com/posthog/posthog-go",),
            "main(), with a deferred Close",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/go",
        ),
        Framework("rust", "Rust", "rust", ("posthog-rs",), "main()", "POSTHOG_API_KEY", "POSTHOG_HOST"),
        Framework(
            "java",
            "Java",
            "java",
            ("com.posthog.java:posthog",),
            "the application's start-up (main or a Spring bean)",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/java",
        ),
        Framework(
            "python",
            "Python",
            "python",
            ("posthog",),
            "the program's entry point, before the first event",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            offline=True,
            docs="https://posthog.com/docs/libraries/python",
        ),
        Framework(
            "ruby",
            "Ruby",
            "ruby",
            ("posthog-ruby",),
            "the program's entry point",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            docs="https://posthog.com/docs/libraries/ruby",
        ),
        Framework(
            "javascript_web",
            "JavaScript (Web)",
            "javascript",
            ("posthog-js",),
            "the bundle's entry (src/main.* or src/index.*), before the app renders",
            "VITE_POSTHOG_KEY",
            "VITE_POSTHOG_HOST",
            _JS_LLM,
            offline=True,
            docs="https://posthog.com/docs/libraries/js",
        ),
        Framework(
            "javascript_node",
            "Node.js",
            "javascript",
            ("posthog-node",),
            "the server's entry, before it listens, with a shutdown() on exit",
            "POSTHOG_API_KEY",
            "POSTHOG_HOST",
            _JS_LLM,
            offline=True,
            docs="https://posthog.com/docs/libraries/node",
        ),
        Framework("unknown", "Unknown", "none", (), "nowhere: no framework was recognised"),
    )
}


def framework(framework_id: str) -> Framework:
    """The record of a framework id; the `unknown` record for an id we do not know."""
    return FRAMEWORKS.get(framework_id, FRAMEWORKS["unknown"])


def sdks_for(framework_id: str, *, llm_calls_found: bool) -> list[str]:
    """The PostHog packages to declare, plus the LLM wrappers' package when LLM calls were found."""
    record = framework(framework_id)
    sdks = list(record.sdks)
    if llm_calls_found and record.llm_sdk and record.llm_sdk not in sdks:
        sdks.append(record.llm_sdk)
    return sdks


# PostHog's US cloud; the EU cloud is https://eu.i.posthog.com. Apps read the host from the
# environment and fall back to this.
DEFAULT_HOST = "https://us.i.posthog.com"

# The version each SDK is declared with: npm ranges, and Python minimums. The Python minimum
# is the release whose module-level client turns itself off when no key is set, which the
# generated code relies on so that an app without a key still starts.
SDK_VERSIONS: dict[str, str] = {
    "posthog-js": "^1.449.2",
    "posthog-node": "^5.70.0",
    "@posthog/ai": "^8.13.1",
    "posthog": "7.91",
}


@dataclass(frozen=True)
class LlmWrapper:
    """PostHog's drop-in replacement for one LLM SDK's client classes."""

    module: str  # where the wrapped classes are imported from
    classes: tuple[str, ...]  # the client classes it replaces, same names as the SDK's
    needs_client: bool  # whether each construction must be given a PostHog client
    min_sdk: tuple[int, ...] = ()  # the oldest SDK release the wrapper's peer range accepts


# (ecosystem, the SDK's package) -> PostHog's wrapper. Python wrappers default to the global
# client set up by init; the JavaScript ones take a posthog-node client as `posthog`.
LLM_WRAPPERS: dict[tuple[str, str], LlmWrapper] = {
    ("python", "openai"): LlmWrapper(
        "posthog.ai.openai", ("OpenAI", "AsyncOpenAI", "AzureOpenAI", "AsyncAzureOpenAI"), False
    ),
    ("python", "anthropic"): LlmWrapper(
        "posthog.ai.anthropic",
        ("Anthropic", "AsyncAnthropic", "AnthropicBedrock", "AsyncAnthropicBedrock", "AnthropicVertex"),
        False,
    ),
    # @posthog/ai 8 declares these SDKs as peers: an older SDK in the app makes npm refuse the install.
    ("javascript", "openai"): LlmWrapper("@posthog/ai/openai", ("OpenAI", "AzureOpenAI"), True, (6, 48)),
    ("javascript", "@anthropic-ai/sdk"): LlmWrapper("@posthog/ai/anthropic", ("Anthropic",), True, (0, 112, 3)),
}

# What the user runs after applying the patch, per package manager: the manifest already
# declares the SDKs, so this only installs what it declares (and updates the lock file).
INSTALL_COMMANDS: dict[str, str] = {
    "npm": "npm install",
    "pnpm": "pnpm install",
    "yarn": "yarn install",
    "bun": "bun install",
    "deno": "deno install",
    "pip": "pip install -r {manifest}",
    "uv": "uv sync",
    "poetry": "poetry lock && poetry install",
    "pipenv": "pipenv install",
    "pdm": "pdm install",
}


def install_command(package_manager: str | None, manifest: str) -> str:
    """The command that installs what `manifest` declares, for the detected package manager."""
    if package_manager in INSTALL_COMMANDS:
        return INSTALL_COMMANDS[package_manager].format(manifest=manifest)
    if manifest.endswith("package.json"):
        return "npm install"
    if manifest.endswith(".txt"):
        return f"pip install -r {manifest}"
    return "pip install ."
