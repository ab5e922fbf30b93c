"""Regressions found on real public apps: each fixture reproduces the shape of the named repo.

Manifests keep the real dependency names that matter; lock files are empty stubs; source files
keep only the lines that decide the result.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.trees import write_tree
from wizard_tui.detection import DetectionResult, detect_project, format_detection


def pkg(deps: dict[str, str] | None = None, **extra: object) -> str:
    return json.dumps({"dependencies": deps or {}, **extra})


def detect(tmp_path: Path, files: dict[str, str]) -> DetectionResult:
    return detect_project(write_tree(tmp_path, files))


def fields(result: DetectionResult) -> tuple[str, str | None, str | None, bool, bool]:
    """The fields real apps are labelled with: framework, router, package manager, PostHog, LLM."""
    return (
        result.framework,
        result.router,
        result.package_manager,
        result.posthog_installed,
        bool(result.llm_calls),
    )


# --- monorepo roots report their primary app -----------------------------------------------------


def test_turborepo_root_with_a_stray_react_dom_reports_its_web_app(tmp_path: Path) -> None:
    # calcom/cal.com: yarn workspaces; the root package.json declares react-dom, the root
    # scripts run `turbo run dev --filter="@calcom/web"`; apps/web mixes app/ and pages/.
    files = {
        "package.json": pkg(
            {"react": "^18.2.0", "react-dom": "^18.2.0"},
            name="calcom-monorepo",
            private=True,
            workspaces=["apps/*", "apps/api/*", "packages/*"],
            scripts={"dev": 'turbo run dev --filter="@calcom/web"', "build": "turbo run build --filter=@calcom/web..."},
            devDependencies={"turbo": "^2.5.5"},
            packageManager="yarn@3.4.1",
        ),
        "yarn.lock": "",
        ".yarnrc.yml": "nodeLinker: node-modules\n",
        "turbo.json": "{}",
        "apps/web/package.json": pkg(
            {"next": "15.5.4", "posthog-js": "^1.274.1", "react": "^18", "react-dom": "^18"},
            name="@calcom/web",
            scripts={"dev": "next dev", "start": "next start"},
        ),
        "apps/web/app/layout.tsx": "export default function RootLayout() {}\n",
        "apps/web/pages/_app.tsx": "export default function App() {}\n",
        "apps/api/v1/package.json": pkg({"next": "15.5.4"}, name="@calcom/api", scripts={"dev": "next dev"}),
        "apps/api/v1/pages/api/bookings/index.ts": "export default function h() {}\n",
        "apps/api/v2/package.json": pkg(
            {"@nestjs/core": "^10"}, name="@calcom/api-v2", scripts={"start": "nest start"}
        ),
        "apps/api/v2/src/main.ts": 'import { NestFactory } from "@nestjs/core";\n',
        "packages/lib/package.json": pkg({"dayjs": "*"}, name="@calcom/lib", main="./index.ts"),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("nextjs", None, "yarn", True, False), result.evidence
    assert result.primary_subproject == "apps/web"
    assert {s.path for s in result.subprojects} == {"apps/web", "apps/api/v1", "apps/api/v2"}
    text = format_detection(result)
    assert "Next.js [nextjs], from its primary app apps/web" in text
    assert "apps/api/v2" in text and "Subprojects:" in text


def test_web_folder_beside_a_workspace_package_json_is_an_app(tmp_path: Path) -> None:
    # langfuse/langfuse: pnpm workspace whose Next.js app lives in web/ (Pages Router under
    # src/pages), a worker in worker/, and the LLM calls in packages/shared.
    files = {
        "package.json": pkg(
            None,
            name="langfuse",
            private=True,
            scripts={"dev": "turbo run dev", "build": "turbo run build"},
            devDependencies={"turbo": "^2.0.0", "prettier": "^3"},
            packageManager="pnpm@9.5.0",
        ),
        "pnpm-lock.yaml": "",
        "pnpm-workspace.yaml": "packages:\n  - web\n  - worker\n  - packages/*\n",
        "web/package.json": pkg(
            {"next": "^14.2.0", "posthog-js": "^1.150.0", "react": "^18", "react-dom": "^18"},
            name="web",
            scripts={"dev": "next dev", "start": "next start"},
        ),
        "web/src/pages/_app.tsx": 'import posthog from "posthog-js";\n',
        "worker/package.json": pkg({"express": "^4.19.2"}, name="worker", scripts={"start": "node dist/index.js"}),
        "worker/src/index.ts": 'import express from "express";\n',
        "packages/shared/package.json": pkg(
            {"@langchain/openai": "^0.3.0", "@langchain/core": "^0.3.0"},
            name="@langfuse/shared",
            main="./dist/index.js",
        ),
        "packages/shared/src/server/llm/fetchLLMCompletion.ts": (
            'import { ChatOpenAI } from "@langchain/openai";\nconst m = new ChatOpenAI({ modelName: "gpt-4o" });\n'
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("nextjs", "pages", "pnpm", True, True), result.evidence
    assert {(s.path, s.framework) for s in result.subprojects} == {("web", "nextjs"), ("worker", "javascript_node")}


def test_uv_and_bun_workspace_root_reports_the_server_framework(tmp_path: Path) -> None:
    # fastapi/full-stack-fastapi-template: root pyproject.toml is a uv workspace of backend/,
    # root package.json a bun workspace of frontend/ (Vite + TanStack Router).
    files = {
        "package.json": pkg(
            None,
            name="fastapi-full-stack-template",
            private=True,
            workspaces=["frontend"],
            scripts={"dev": "bun run --filter frontend dev"},
        ),
        "bun.lock": "{}",
        "pyproject.toml": '[dependency-groups]\ndev = ["prek>=0.5.3"]\n\n[tool.uv.workspace]\nmembers = ["backend"]\n',
        "uv.lock": "version = 1\n",
        "backend/pyproject.toml": (
            '[project]\nname = "app"\nversion = "0.1.0"\n'
            'dependencies = ["fastapi[standard]<1.0.0,>=0.114.2", "sqlmodel<1.0.0,>=0.0.21"]\n'
        ),
        "backend/app/__init__.py": "",
        "backend/app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "frontend/package.json": pkg(
            {"@tanstack/react-router": "1.19.1", "react": "^18.2.0", "react-dom": "^18.2.0"},
            name="frontend",
            scripts={"dev": "vite", "build": "vite build"},
            devDependencies={"vite": "^6.3.4"},
        ),
        "frontend/index.html": "<div id=root></div>\n",
        "frontend/src/main.tsx": 'import { RouterProvider, createRouter } from "@tanstack/react-router"\n',
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("fastapi", None, "uv", False, False), result.evidence
    assert result.primary_subproject == "backend"


def test_root_scripts_pick_the_product_over_a_nextjs_docs_site(tmp_path: Path) -> None:
    # documenso/documenso: npm workspaces; apps/remix is the product (React Router framework
    # mode), apps/docs a Next.js docs site; PostHog in apps/remix, the AI SDK in packages/lib.
    files = {
        "package.json": pkg(
            None,
            name="@documenso/root",
            private=True,
            workspaces=["apps/*", "packages/*"],
            scripts={"dev": "turbo run dev --filter=@documenso/remix", "build": "turbo run build"},
            devDependencies={"turbo": "^1.9.3"},
            packageManager="npm@10.7.0",
        ),
        "package-lock.json": "{}",
        "apps/remix/package.json": pkg(
            {"react-router": "^7.6.0", "posthog-js": "^1.245.0", "react": "^18", "react-dom": "^18"},
            name="@documenso/remix",
            scripts={"dev": "react-router dev", "start": "node build/server/main.js"},
            devDependencies={"@react-router/dev": "^7.6.0"},
        ),
        "apps/remix/react-router.config.ts": "export default {}\n",
        "apps/docs/package.json": pkg({"next": "15.0.0"}, name="@documenso/docs", scripts={"dev": "next dev"}),
        "apps/docs/src/app/layout.tsx": "export default function L() {}\n",
        "apps/openpage-api/package.json": pkg({"next": "15.0.0"}, name="@documenso/openpage-api", scripts={"dev": "x"}),
        "apps/openpage-api/app/route.ts": "export function GET() {}\n",
        "packages/lib/package.json": pkg({"ai": "^5.0.0", "@ai-sdk/google-vertex": "^3.0.0"}, main="index.ts"),
        "packages/lib/server-only/ai/detect-fields.ts": (
            'import { generateObject } from "ai";\nconst r = await generateObject({ model, schema });\n'
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("react-router", None, "npm", True, True), result.evidence
    assert (result.mode, result.primary_subproject) == ("framework", "apps/remix")


def test_workspace_package_exporting_a_trpc_router_is_not_an_app(tmp_path: Path) -> None:
    # t3-oss/create-t3-turbo: packages/api declares @trpc/server but only exports a router.
    files = {
        "package.json": pkg(
            None, private=True, scripts={"dev": "turbo watch dev --continue"}, packageManager="pnpm@10"
        ),
        "pnpm-lock.yaml": "",
        "pnpm-workspace.yaml": "packages:\n  - apps/*\n  - packages/*\n",
        "apps/nextjs/package.json": pkg({"next": "^15.3.3"}, name="@acme/nextjs", scripts={"dev": "next dev"}),
        "apps/nextjs/src/app/layout.tsx": "export default function RootLayout() {}\n",
        "apps/expo/package.json": pkg(
            {"expo": "~53.0.11", "expo-router": "~5.1.0", "react-native": "~0.79.3", "react-dom": "19"},
            name="@acme/expo",
            scripts={"dev": "expo start"},
        ),
        "packages/api/package.json": pkg({"@trpc/server": "^11"}, name="@acme/api", exports={".": "./src/index.ts"}),
        "packages/api/src/index.ts": "export {}\n",
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("nextjs", "app", "pnpm", False, False), result.evidence
    assert {s.path for s in result.subprojects} == {"apps/expo", "apps/nextjs"}


def test_docs_and_examples_never_stand_for_the_repository(tmp_path: Path) -> None:
    # assafelovic/gpt-researcher: the root is the FastAPI app; docs/ is a Docusaurus site.
    files = {
        "requirements.txt": "fastapi>=0.115.0\nopenai>=1.0.0\nlangchain>=0.3.0\n",
        "main.py": "from backend.server.app import app\n",
        "backend/server/app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "docs/package.json": pkg({"@docusaurus/core": "3.0.0"}, scripts={"start": "docusaurus start"}),
        "frontend/nextjs/package.json": pkg({"next": "^14.2.3"}, scripts={"dev": "next dev"}),
        "frontend/nextjs/app/layout.tsx": "export default function L() {}\n",
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("fastapi", None, "pip", False, True), result.evidence
    assert result.primary_subproject is None, "the root is an app of its own"


# --- LLM SDKs -----------------------------------------------------------------------------------


def test_laravel_ai_sdk_is_an_llm_sdk(tmp_path: Path) -> None:
    # koel/koel: composer.json requires laravel/ai; agents `use Laravel\Ai\...`.
    files = {
        "composer.json": json.dumps({"require": {"php": ">=8.3", "laravel/framework": "^13.0", "laravel/ai": "^0.7"}}),
        "composer.lock": "{}",
        "artisan": "#!/usr/bin/env php\n",
        "package.json": pkg({"vue": "^3.5.0"}, scripts={"dev": "vite"}, devDependencies={"vite": "^6"}),
        "app/Ai/Agents/Curator.php": (
            "<?php\n\nnamespace App\\Ai\\Agents;\n\nuse Laravel\\Ai\\Contracts\\Agent;\nuse Laravel\\Ai\\Promptable;\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("laravel", None, "composer", False, True), result.evidence
    assert ("app/Ai/Agents/Curator.php", 5, "laravel/ai", "import") in {
        (c.file, c.line, c.sdk, c.kind) for c in result.llm_calls
    }


def test_replicate_image_model_is_not_an_llm_call(tmp_path: Path) -> None:
    # Nutlope/roomGPT: POSTs to api.replicate.com for ControlNet image generation.
    files = {
        "package.json": pkg({"next": "latest", "react": "18.2.0"}, scripts={"dev": "next dev"}),
        "package-lock.json": "{}",
        "app/layout.tsx": "export default function RootLayout() {}\n",
        "app/generate/route.ts": (
            "export async function POST(request: Request) {\n"
            '  let startResponse = await fetch("https://api.replicate.com/v1/predictions", {\n'
            '    body: JSON.stringify({ version: "854e8727697a057c525cdb45ab037f64ecca770a1769cc52287c2e56472a247b",\n'
            '      input: { image: imageUrl, prompt: "a modern living room" } }),\n'
            "  });\n}\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("nextjs", "app", "npm", False, False), result.llm_calls


def test_replicate_language_model_is_an_llm_call(tmp_path: Path) -> None:
    # Nutlope-style apps that run Llama on Replicate through the `replicate` client.
    files = {
        "package.json": pkg({"next": "14", "replicate": "^0.25.0"}, scripts={"dev": "next dev"}),
        "app/layout.tsx": "export default function RootLayout() {}\n",
        "app/api/chat/route.ts": (
            'import Replicate from "replicate";\nconst replicate = new Replicate();\n'
            'const out = await replicate.run("meta/meta-llama-3-70b-instruct", { input: { prompt } });\n'
        ),
    }
    result = detect(tmp_path, files)
    assert result.llm_sdks == ["replicate"]
    assert {c.kind for c in result.llm_calls} == {"manifest", "import", "call"}


def test_declared_replicate_client_for_images_only_is_not_an_llm_sdk(tmp_path: Path) -> None:
    # Nutlope/restorePhotos shape, with the `replicate` client running GFPGAN.
    files = {
        "package.json": pkg({"next": "14", "replicate": "^0.25.0"}, scripts={"dev": "next dev"}),
        "pages/_app.tsx": "export default function App() {}\n",
        "pages/api/generate.ts": (
            'import Replicate from "replicate";\nconst replicate = new Replicate();\n'
            'const model = "tencentarc/gfpgan:0fbacf7afc6c144e5be9767cff80f25aff23e52b0708f17e20f9879b2f21516c";\n'
            "const out = await replicate.run(model, { input: { img } });\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("nextjs", "pages", "npm", False, False), result.llm_calls


def test_ai_sdk_provider_factory_is_attributed_to_its_package(tmp_path: Path) -> None:
    # vercel/ai-chatbot-svelte: src/lib/server/ai/models.ts builds Groq and xAI providers.
    files = {
        "package.json": pkg(
            None,
            devDependencies={"@sveltejs/kit": "^2.16.0", "ai": "^4.2.0", "@ai-sdk/groq": "^1", "@ai-sdk/xai": "^1"},
            packageManager="pnpm@9.15.4",
        ),
        "src/lib/server/ai/models.ts": (
            "import { createGroq } from '@ai-sdk/groq';\nimport { createXai } from '@ai-sdk/xai';\n"
            "const groq = createGroq({});\nconst xai = createXai({});\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("sveltekit", None, "pnpm", False, True)
    calls = {(c.line, c.sdk) for c in result.llm_calls if c.kind == "call"}
    assert calls == {(3, "@ai-sdk/groq"), (4, "@ai-sdk/xai")}


def test_indirect_go_requirement_is_not_a_declared_sdk(tmp_path: Path) -> None:
    # appleboy/CodeGPT go.mod shape: direct requires, then a `// indirect` block.
    files = {
        "go.mod": (
            "module github.com/example/tool\n\ngo 1.22\n\nrequire (\n\tgithub.com/spf13/cobra v1.8.0\n)\n\n"
            "require (\n\tgithub.com/sashabaranov/go-openai v1.20.0 // indirect\n"
            "\tgithub.com/posthog/posthog-go v1.2.0 // indirect\n)\n"
        ),
        "main.go": 'package main\n\nimport "github.com/spf13/cobra"\n',
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("go", None, "go", False, False), result.llm_calls


# --- PostHog ------------------------------------------------------------------------------------


POSTHOG_SNIPPET = (
    "!function(t,e){var o,n,p,r;e.__SV||(window.posthog=e,e._i=[],e.init=function(i,s,a){"
    'p.src=s.api_host+"/static/array.js"},e.__SV=1)}(document,window.posthog||[]);\n'
    "posthog.init('phc_test', { api_host: 'https://us.i.posthog.com' })\n"
)


def test_posthog_snippet_in_an_astro_component(tmp_path: Path) -> None:
    # PostHog's Astro guide, as sites apply it: src/components/posthog.astro holds the snippet.
    files = {
        "package.json": pkg({"astro": "^5.1.0"}, scripts={"dev": "astro dev"}),
        "pnpm-lock.yaml": "",
        "src/components/posthog.astro": f"---\n---\n<script is:inline>\n{POSTHOG_SNIPPET}</script>\n",
        "src/layouts/Layout.astro": "---\nimport PostHog from '../components/posthog.astro'\n---\n<PostHog />\n",
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("astro", None, "pnpm", True, False), result.evidence
    assert result.posthog_packages == ["posthog-js (web snippet)"]


def test_posthog_snippet_in_a_nextjs_script_tag(tmp_path: Path) -> None:
    # Next.js apps that paste the snippet into pages/_document.tsx through next/script.
    files = {
        "package.json": pkg({"next": "14"}, scripts={"dev": "next dev"}),
        "pages/_document.tsx": (
            'import Script from "next/script";\nexport default function Document() {\n'
            f'  return <Script id="posthog" dangerouslySetInnerHTML={{{{ __html: `{POSTHOG_SNIPPET}` }}}} />;\n}}\n'
        ),
    }
    result = detect(tmp_path, files)
    assert (result.framework, result.router, result.posthog_installed) == ("nextjs", "pages", True)


def test_posthog_icons_are_not_an_sdk(tmp_path: Path) -> None:
    # Apps that borrow @posthog/icons for their UI do not send events to PostHog.
    files = {"package.json": pkg({"next": "14", "@posthog/icons": "^0.9.0"}), "app/layout.tsx": "x"}
    assert not detect(tmp_path, files).posthog_installed


# --- routers ------------------------------------------------------------------------------------


def test_pages_router_with_page_extensions(tmp_path: Path) -> None:
    # dittofeed/dittofeed packages/dashboard: next.config sets pageExtensions ["page.tsx", ...].
    files = {
        "package.json": pkg({"next": "14.1.0", "react": "18"}, scripts={"dev": "next dev"}),
        "yarn.lock": "",
        "next.config.js": 'module.exports = { pageExtensions: ["page.tsx", "page.ts"] };\n',
        "src/pages/_app.page.tsx": "export default function App() {}\n",
        "src/pages/journeys.page.tsx": "export default function Journeys() {}\n",
    }
    assert fields(detect(tmp_path, files)) == ("nextjs", "pages", "yarn", False, False)


# --- view libraries beside a server program ----------------------------------------------------


def test_go_server_with_a_vue_bundle_in_the_same_folder_is_go(tmp_path: Path) -> None:
    # go-gitea/gitea: go.mod, main.go and cmd/ at the root beside a package.json that bundles
    # Vue 3 components with webpack for the server-rendered templates.
    files = {
        "go.mod": "module code.gitea.io/gitea\n\ngo 1.24\n\nrequire (\n\tgithub.com/go-chi/chi/v5 v5.2.0\n)\n",
        "main.go": 'package main\n\nimport "code.gitea.io/gitea/cmd"\n',
        "cmd/main.go": "package cmd\n",
        "package.json": pkg(
            {"htmx.org": "2.0.4", "jquery": "3.7.1", "vue": "3.5.13", "webpack": "5.98.0"},
            type="module",
            devDependencies={"@vitejs/plugin-vue": "5.2.1", "vue-tsc": "2.2.0"},
        ),
        "package-lock.json": "{}",
        "web_src/js/index.ts": "import {createApp} from 'vue';\n",
        "templates/base/head.tmpl": "<html></html>\n",
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("go", None, "go", False, False), result.evidence
    assert "package.json: dependencies.vue: Vue is the front end of the Go app" in result.evidence


def test_vscode_extension_bundled_with_webpack_is_node(tmp_path: Path) -> None:
    # gencay/vscode-chatgpt: an editor extension (engines.vscode) talking to OpenAI through
    # the `chatgpt` client package; extensions scaffolded with webpack declare it too.
    files = {
        "package.json": pkg(
            {"chatgpt": "^2.0.3"},
            name="vscode-chatgpt",
            engines={"vscode": "^1.73.0"},
            main="./out/extension.js",
            devDependencies={"@types/vscode": "^1.73.0", "webpack": "^5", "ts-loader": "^9.4.1"},
        ),
        "yarn.lock": "",
        "src/extension.ts": "import * as vscode from 'vscode';\n",
        "src/chatgpt-view-provider.ts": (
            "import { ChatGPTAPI } from 'chatgpt';\nconst api = new ChatGPTAPI({ apiKey });\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("javascript_node", None, "yarn", False, True), result.evidence
    assert ("src/chatgpt-view-provider.ts", 1, "chatgpt", "import") in {
        (c.file, c.line, c.sdk, c.kind) for c in result.llm_calls
    }


def test_prefixed_folder_names_rank_like_plain_ones(tmp_path: Path) -> None:
    # twentyhq/twenty-style packages/<product>-front, <product>-server, <product>-website.
    files = {
        "package.json": pkg(None, private=True, workspaces=["packages/*"], packageManager="yarn@4.9.2"),
        "yarn.lock": "",
        "packages/acme-front/package.json": pkg(
            {"react": "^18", "react-dom": "^18"}, scripts={"start": "vite"}, devDependencies={"vite": "^7"}
        ),
        "packages/acme-front/index.html": "<div id=root></div>\n",
        "packages/acme-website/package.json": pkg({"next": "14"}, scripts={"dev": "next dev"}),
        "packages/acme-website/src/app/layout.tsx": "export default function L() {}\n",
        "packages/acme-server/package.json": pkg({"@nestjs/core": "^9"}, scripts={"start": "nest start"}),
    }
    result = detect(tmp_path, files)
    assert (result.framework, result.primary_subproject) == ("javascript_web", "packages/acme-front")


def test_boto3_bedrock_runtime_client_is_an_llm_call(tmp_path: Path) -> None:
    # The shape of the many Streamlit/Lambda apps on Bedrock (aws-samples and others):
    # requirements list only boto3; the LLM is the `bedrock-runtime` client.
    files = {
        "requirements.txt": "boto3>=1.34\nstreamlit\n",
        "app.py": (
            "import boto3\nimport streamlit as st\n\n"
            'client = boto3.client("bedrock-runtime", region_name="us-east-1")\n'
            's3 = boto3.client("s3")\n'
            "agent = boto3.client(\n"
            '    "bedrock-agent-runtime", region_name=region\n)\n'
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("python", None, "pip", False, True)
    assert {(c.line, c.sdk) for c in result.llm_calls} == {
        (4, "boto3:bedrock-runtime"),
        (6, "boto3:bedrock-agent-runtime"),
    }


def test_workers_ai_binding_running_llama_is_an_llm_call(tmp_path: Path) -> None:
    # cloudflare/templates llm-chat-app-template: a Worker calling Llama through `env.AI`.
    files = {
        "package.json": pkg(None, scripts={"dev": "wrangler dev"}, devDependencies={"wrangler": "^4"}),
        "package-lock.json": "{}",
        "wrangler.jsonc": '{ "ai": { "binding": "AI" } }\n',
        "src/index.ts": (
            'const MODEL_ID = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";\n'
            "export default {\n  async fetch(request, env) {\n"
            "    const response = await env.AI.run(MODEL_ID, { messages }, { returnRawResponse: true });\n"
            "  },\n};\n"
        ),
    }
    result = detect(tmp_path, files)
    assert fields(result) == ("javascript_node", None, "npm", False, True), result.evidence
    assert {(c.file, c.line, c.sdk) for c in result.llm_calls} == {("src/index.ts", 4, "cloudflare:workers-ai")}


def test_workers_ai_binding_running_an_image_model_is_not_an_llm_call(tmp_path: Path) -> None:
    files = {
        "package.json": pkg(None, scripts={"dev": "wrangler dev"}),
        "src/index.ts": 'const out = await env.AI.run("@cf/stabilityai/stable-diffusion-xl-base-1.0", { prompt });\n',
    }
    assert not detect(tmp_path, files).llm_calls


def test_openai_agents_sdk_imports_as_agents(tmp_path: Path) -> None:
    # openai/openai-agents-python examples as apps copy them: `from agents import Agent, Runner`.
    files = {
        "requirements.txt": "fastapi\n",
        "main.py": "from fastapi import FastAPI\nfrom agents import Agent, Runner\n",
        "agents_local/__init__.py": "",
        "jobs.py": "from agents import registry\n",
    }
    result = detect(tmp_path, files)
    assert {(c.file, c.line, c.sdk) for c in result.llm_calls} == {("main.py", 2, "openai-agents")}
