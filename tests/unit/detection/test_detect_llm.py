"""LLM SDKs from manifests and LLM call sites from source; prose and comments never count."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.trees import write_tree
from wizard_tui.detection import LlmCall, detect_project


def pkg(deps: dict[str, str]) -> str:
    return json.dumps({"name": "app", "dependencies": deps})


def sites(calls: list[LlmCall]) -> set[tuple[str, int | None, str, str]]:
    return {(c.file, c.line, c.sdk, c.kind) for c in calls}


def test_manifest_declarations(tmp_path: Path) -> None:
    files = {
        "package.json": json.dumps(
            {
                "dependencies": {
                    "@anthropic-ai/claude-agent-sdk": "^0.1",
                    "@ai-sdk/openai": "^1",
                    "ai": "^4",
                    "@langchain/community": "^0.3",
                    "react": "^18",
                },
                "devDependencies": {"@google/genai": "^1"},
            }
        ),
        "backend/pyproject.toml": (
            '[project]\nname = "api"\ndependencies = ["fastapi", "litellm>=1.50"]\n'
            '[project.optional-dependencies]\nai = ["langchain-openai", "llama-index-core"]\n'
        ),
    }
    result = detect_project(write_tree(tmp_path, files))
    declared = {(c.file, c.sdk) for c in result.llm_calls if c.kind == "manifest"}
    assert declared == {
        ("package.json", "@anthropic-ai/claude-agent-sdk"),
        ("package.json", "@ai-sdk/openai"),
        ("package.json", "ai"),
        ("package.json", "@langchain/community"),
        ("package.json", "@google/genai"),
        ("backend/pyproject.toml", "litellm"),
        ("backend/pyproject.toml", "langchain-openai"),
        ("backend/pyproject.toml", "llama-index-core"),
    }
    assert all(c.line is None for c in result.llm_calls if c.kind == "manifest")
    assert result.llm_sdks == sorted({sdk for _, sdk in declared})


def test_llm_sdk_named_only_in_markdown_is_not_a_call(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"express": "^4"}),
        "README.md": 'import OpenAI from "openai"\nconst c = new OpenAI()\nhttps://api.openai.com/v1\n',
        "docs/guide.mdx": "from anthropic import Anthropic\n",
        "notes.txt": "import openai\n",
        ".env.example": "OPENAI_API_KEY=sk-...\nANTHROPIC_API_KEY=\n",
        "src/config.js": "export const key = process.env.OPENAI_API_KEY\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.llm_calls == []
    assert result.llm_sdks == []


def test_js_import_construct_and_call_with_lines(tmp_path: Path) -> None:
    route = (
        'import OpenAI from "openai";\n'  # 1
        'import { NextResponse } from "next/server";\n'
        "\n"
        "const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });\n"  # 4
        "\n"
        "export async function POST() {\n"
        "  const completion = await client.chat.completions.create({\n"  # 7
        '    model: "gpt-4o-mini",\n'
        "  });\n"
        "  return NextResponse.json(completion);\n"
        "}\n"
    )
    files = {"package.json": pkg({"next": "15", "openai": "^4"}), "app/api/chat/route.ts": route}
    result = detect_project(write_tree(tmp_path, files))
    source = sites([c for c in result.llm_calls if c.kind != "manifest"])
    assert source == {
        ("app/api/chat/route.ts", 1, "openai", "import"),
        ("app/api/chat/route.ts", 4, "openai", "call"),
        ("app/api/chat/route.ts", 7, "openai", "call"),
    }


def test_python_import_and_calls(tmp_path: Path) -> None:
    code = (
        '"""Summaries. Example: from openai import OpenAI"""\n'  # docstring: not an import
        "from anthropic import AsyncAnthropic\n"  # 2
        "from langchain_openai import ChatOpenAI\n"  # 3
        "\n"
        "client = AsyncAnthropic()\n"  # 5
        "llm = ChatOpenAI(model='gpt-4o')\n"  # 6
        "async def run():\n"
        "    return await client.messages.create(model='claude', max_tokens=10, messages=[])\n"  # 8
    )
    result = detect_project(write_tree(tmp_path, {"requirements.txt": "fastapi\n", "app/llm.py": code}))
    assert sites(result.llm_calls) == {
        ("app/llm.py", 2, "anthropic", "import"),
        ("app/llm.py", 3, "langchain-openai", "import"),
        ("app/llm.py", 5, "anthropic", "call"),
        ("app/llm.py", 6, "langchain-openai", "call"),
        ("app/llm.py", 8, "anthropic", "call"),
    }


def test_commented_out_imports_are_not_counted(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"express": "^4"}),
        "src/a.ts": (
            '// import OpenAI from "openai";\n'
            "/*\n"
            'import Anthropic from "@anthropic-ai/sdk";\n'
            "const c = new Anthropic();\n"
            "*/\n"
            "export const x = 1; // new OpenAI()\n"
        ),
        "src/b.py": "# import openai\n# client = openai.OpenAI()\nx = '# import anthropic'\n",
        "src/c.vue": '<template><!-- import OpenAI from "openai" --></template>\n',
        "src/d.rb": "# OpenAI::Client.new\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert result.llm_calls == []


def test_type_only_import_and_unrelated_constructors_are_not_calls(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"react": "^18"}),
        "src/types.ts": 'import type { ChatCompletion } from "openai/resources";\n',
        "src/ui.tsx": "const w = new ChatWindow();\nawait api.messages.create({});\n",
    }
    assert detect_project(write_tree(tmp_path, files)).llm_calls == []


def test_multiline_import_is_reported_at_its_first_line(tmp_path: Path) -> None:
    code = 'import {\n  generateText,\n  streamText,\n} from "ai";\n\nawait generateText({ model });\n'
    result = detect_project(write_tree(tmp_path, {"package.json": pkg({}), "lib/ai.ts": code}))
    assert sites(result.llm_calls) == {
        ("lib/ai.ts", 1, "ai", "import"),
        ("lib/ai.ts", 6, "ai", "call"),
    }


def test_require_and_scoped_packages(tmp_path: Path) -> None:
    code = (
        'const Anthropic = require("@anthropic-ai/sdk");\n'
        'const { openai } = require("@ai-sdk/openai");\n'
        'const local = require("./openai-helpers");\n'
    )
    result = detect_project(write_tree(tmp_path, {"server.js": code}))
    assert sites(result.llm_calls) == {
        ("server.js", 1, "@anthropic-ai/sdk", "import"),
        ("server.js", 2, "@ai-sdk/openai", "import"),
    }


def test_direct_http_calls_to_llm_endpoints(tmp_path: Path) -> None:
    files = {
        "src/chat.js": (
            'const r = await fetch("https://api.openai.com/v1/chat/completions", {\n  method: "POST" });\n'
        ),
        "bot.py": (
            "import requests\n"
            "# requests.post('https://api.groq.com/openai/v1')\n"
            "URL = 'https://api.anthropic.com/v1/messages'\n"
        ),
        "main.go": 'package main\nconst base = "https://generativelanguage.googleapis.com/v1beta"\n',
        "client.ts": "const baseURL = `https://openrouter.ai/api/v1`;\n",
    }
    result = detect_project(write_tree(tmp_path, files))
    assert sites(result.llm_calls) == {
        ("src/chat.js", 1, "http:api.openai.com", "http"),
        ("bot.py", 3, "http:api.anthropic.com", "http"),
        ("main.go", 2, "http:generativelanguage.googleapis.com", "http"),
        ("client.ts", 1, "http:openrouter.ai", "http"),
    }


def test_other_languages(tmp_path: Path) -> None:
    files = {
        "app/services/bot.rb": ("class Bot\n  def client = OpenAI::Client.new(access_token: 'x')\nend\n"),
        "main.go": (
            'package main\n\nimport (\n\t"fmt"\n\topenai "github.com/sashabaranov/go-openai"\n)\n'
            "func f(c *openai.Client) { c.CreateChatCompletion(ctx, req) }\n"
        ),
        "app/Http/Chat.php": ("<?php\nuse OpenAI\\Laravel\\Facades\\OpenAI;\n$r = OpenAI::chat()->create([]);\n"),
        "lib/ai.dart": "import 'package:google_generative_ai/google_generative_ai.dart';\n",
        "src/Main.kt": "import com.anthropic.client.okhttp.AnthropicOkHttpClient\n",
        "Sources/App/Chat.swift": "import OpenAI\nlet c = OpenAI(apiToken: key)\n",
        "src/main.rs": "use async_openai::Client;\n",
        "lib/app/llm.ex": "defmodule App.LLM do\n  def run, do: OpenaiEx.new(key)\nend\n",
    }
    got = sites(detect_project(write_tree(tmp_path, files)).llm_calls)
    assert ("app/services/bot.rb", 2, "openai", "call") in got
    assert ("main.go", 5, "github.com/sashabaranov/go-openai", "import") in got
    assert ("main.go", 7, "github.com/sashabaranov/go-openai", "call") in got
    assert ("app/Http/Chat.php", 2, "openai-php/laravel", "import") in got
    assert ("app/Http/Chat.php", 3, "openai-php/laravel", "call") in got, "the declared name"
    assert ("lib/ai.dart", 1, "google_generative_ai", "import") in got
    assert ("src/Main.kt", 1, "com.anthropic:anthropic-java", "import") in got
    assert ("Sources/App/Chat.swift", 1, "openai", "import") in got
    assert ("Sources/App/Chat.swift", 2, "openai", "call") in got
    assert ("src/main.rs", 1, "async-openai", "import") in got
    assert ("lib/app/llm.ex", 2, "openai_ex", "call") in got


def test_python_google_and_litellm_forms(tmp_path: Path) -> None:
    code = (
        "from google import genai\n"
        "import litellm, os\n"
        "from litellm import completion\n"
        "client = genai.Client()\n"
        "resp = completion(model='gpt-4o', messages=[])\n"
    )
    got = sites(detect_project(write_tree(tmp_path, {"worker.py": code})).llm_calls)
    assert got == {
        ("worker.py", 1, "google-genai", "import"),
        ("worker.py", 2, "litellm", "import"),
        ("worker.py", 3, "litellm", "import"),
        ("worker.py", 4, "google-genai", "call"),
        ("worker.py", 5, "litellm", "call"),
    }


def test_local_modules_named_like_sdks_are_not_sdks(tmp_path: Path) -> None:
    files = {
        "app/openai_utils.py": "def helper(): ...\n",
        "app/main.py": "from .openai_utils import helper\nfrom app.openai_utils import helper\n",
        "src/x.ts": 'import { ask } from "@/lib/openai";\nimport { b } from "../anthropic";\n',
    }
    assert detect_project(write_tree(tmp_path, files)).llm_calls == []


def test_calls_on_a_client_built_in_another_module(tmp_path: Path) -> None:
    files = {
        "package.json": pkg({"next": "15", "openai": "^4", "twilio": "^5"}),
        "lib/openai.ts": 'import OpenAI from "openai";\nexport const openai = new OpenAI();\n',
        "app/api/chat/route.ts": (
            'import { openai } from "@/lib/openai";\n'
            "export async function POST() {\n"
            "  return openai.chat.completions.create({ model: 'gpt-4o', messages: [] });\n"
            "}\n"
        ),
        "app/api/sms/route.ts": "await twilio.messages.create({ to, body });\n",
    }
    got = sites(detect_project(write_tree(tmp_path, files)).llm_calls)
    assert ("app/api/chat/route.ts", 3, "openai", "call") in got
    assert not any(f == "app/api/sms/route.ts" for f, *_ in got)


def test_orphan_method_calls_without_any_llm_sdk_are_dropped(tmp_path: Path) -> None:
    files = {"server.py": "resp = client.chat.completions.create(model='x')\n"}
    assert detect_project(write_tree(tmp_path, files)).llm_calls == []


def test_calls_written_inside_strings_are_not_calls(tmp_path: Path) -> None:
    code = (
        "from openai import OpenAI\n"  # 1
        "EXAMPLE = 'client = OpenAI(); client.chat.completions.create(model=m)'\n"
        "client = OpenAI()\n"  # 3
    )
    files = {"requirements.txt": "openai\n", "gen.py": code, "docs_gen.py": "T = 'x.chat.completions.create('\n"}
    got = sites(detect_project(write_tree(tmp_path, files)).llm_calls)
    assert {(f, line) for f, line, _, kind in got if kind != "manifest"} == {("gen.py", 1), ("gen.py", 3)}
