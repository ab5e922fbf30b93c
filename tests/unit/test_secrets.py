"""Class 2 of the hostile-input issue: the model never sees a secret value.

Secrets of many kinds are planted in ordinary source, in env files under other names and in
git-ignored files; every read, search and listing is checked for them, line numbers must not
move, and a search must not work as an oracle that spells a secret out.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.harness import Harness
from tests.support.trees import write_tree
from wizard_tui.engine.tools.secret_scan import MARKER, dotenv_shaped, marker_for
from wizard_tui.engine.tools.secrets import SecretVault

# (file, line with the secret, the secret value, a word of the marker's kind): one per scanner kind.
PLANTED: list[tuple[str, str, str, str]] = [
    (
        "mysite/settings.py",
        'SECRET_KEY = "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j"',
        "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j",
        "secret",
    ),
    ("scripts/deploy.sh", "export AWS_ACCESS_KEY_ID=AKIAZ7Q3XJ4KLMN2PQRS", "AKIAZ7Q3XJ4KLMN2PQRS", "aws"),
    (
        "scripts/deploy.sh",
        'aws_secret_access_key = "q9Vz1RkT8wLmN3bX7cYd2FpG5hJ0sKaE4uOiW6yQ"',
        "q9Vz1RkT8wLmN3bX7cYd2FpG5hJ0sKaE4uOiW6yQ",
        "",
    ),
    (
        "config/npm-auth.txt",
        "//registry.npmjs.org/:_authToken=npm_Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz0Xc",
        "npm_Zx8Qw2Er4Ty6Ui8Op0As2Df4Gh6Jk8Lz0Xc",
        "npm",
    ),
    (
        "src/github.ts",
        'const gh = "ghp_R8f2Kq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2Pa8Dg3"',
        "ghp_R8f2Kq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2Pa8Dg3",
        "",
    ),
    (
        "src/slack.js",
        'const slack = "xoxb-918273645012-5647382910123-Qw8Er6Ty4Ui2Op0As9Df7Gh5"',
        "xoxb-918273645012-5647382910123-Qw8Er6Ty4Ui2Op0As9Df7Gh5",
        "slack",
    ),
    (
        "server/pay.js",
        'const stripe = require("stripe")("sk_live_51Hq8Zx2Ld9Kf3Mv7Nb1Pc6Rt4")',
        "sk_live_51Hq8Zx2Ld9Kf3Mv7Nb1Pc6Rt4",
        "stripe",
    ),
    (
        "src/auth.py",
        'TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.Sfl8KxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"',  # noqa: E501 (a real token is one long line)
        "Sfl8KxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "web-token",
    ),
    ("db/config.rb", 'url = "postgres://admin:Hunter2Pa55w0rd@db.internal:5432/app"', "Hunter2Pa55w0rd", "auth"),
    (
        "mail/send.py",
        'sg = "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"',
        "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",
        "sendgrid",
    ),
    (
        "sms/twilio.py",
        "client = Client('SK0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'x')",
        "SK0f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "twilio",
    ),
    (
        "publish.py",
        'PYPI = "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejEyMzQ1NgACKlszLCJhYmMiXQAABiA"',
        "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejEyMzQ1NgACKlszLCJhYmMiXQAABiA",
        "pypi",
    ),
    (
        "web/maps.ts",
        'const key = "AIzaSyD8Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1X"',
        "AIzaSyD8Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1X",
        "google",
    ),
    (
        "ai/client.py",
        'client = Anthropic(api_key="sk-ant-api03-Zq8Xw6Ve4Ub2Tc0Sd9Re7Qf5Pg3Oh1Ni")',
        "sk-ant-api03-Zq8Xw6Ve4Ub2Tc0Sd9Re7Qf5Pg3Oh1Ni",
        "",
    ),
    (
        "bot/discord.js",
        "login('MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs')",
        "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",
        "discord",
    ),
    (
        "news/mailchimp.py",
        'MC = "8c2f4a6b8d0e1f3a5c7e9b1d3f5a7c9e-us12"',
        "8c2f4a6b8d0e1f3a5c7e9b1d3f5a7c9e-us12",
        "mailchimp",
    ),
    ("conf/app.yaml", "password: Sup3rS3cretPassw0rd!", "Sup3rS3cretPassw0rd!", ""),
    (
        "analytics.ts",
        'const personal = "phx_Kq8Zx2Ld9Kf3Mv7Nb1Pc6Rt4Yw5Ue0Io"',
        "phx_Kq8Zx2Ld9Kf3Mv7Nb1Pc6Rt4Yw5Ue0Io",
        "posthog",
    ),
]
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAz7PLANTEDkeyBODYline1xx\nQmFzZTY0UExBTlRFRGtleUJPRFlsaW5lMnh4\n-----END RSA PRIVATE KEY-----"  # noqa: E501 (a real token is one long line)
ENV_BODY = (
    "POSTHOG_KEY=phc_RENAMEDenv0a1b2c3d4e5\nDATABASE_URL=postgres://u:RenamedPw9x@h/db\nPORT=3000\nMY_VALUE=hunter2zz\n"
)
ENV_VALUES = ["phc_RENAMEDenv0a1b2c3d4e5", "RenamedPw9x", "hunter2zz"]
RENAMED_ENV = [
    "config.txt",
    "prod.conf",
    "settings.ini",
    "env.backup",
    "dotenv",
    ".env-prod",
    "app.properties",
    "vars",
    "local.cfg",
    "deploy/.env.production.bak",
    "ENV",
    "secrets",
]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("secrets")
    files: dict[str, str] = {}
    for rel, line, _value, _kind in PLANTED:
        files[rel] = files.get(rel, "# ordinary code above\nimport os\n") + line + "\nprint('after')\n"
    files["tests/fixtures.py"] = f'KEY = """\n{PEM}\n"""\nNEXT = 1\n'
    for name in RENAMED_ENV:
        files[name] = ENV_BODY
    files[".gitignore"] = "local-notes.md\nprivate/\n"
    files["local-notes.md"] = "nothing secret-shaped but ignored\n"
    files["private/ops.md"] = "ignored folder\n"
    return write_tree(root, files)


def planted_values() -> list[str]:
    return (
        [v for _f, _l, v, _k in PLANTED]
        + ENV_VALUES
        + ["MIIEowIBAAKCAQEAz7PLANTEDkeyBODYline1xx", "QmFzZTY0UExBTlRFRGtleUJPRFlsaW5lMnh4"]
    )


def leaked(text: str) -> list[str]:
    return [v for v in planted_values() if v in text]


async def call(project: Path, tool: str, args: dict[str, Any]) -> tuple[str, bool]:
    result = await Harness(project).box().call(tool, args)
    return result.content, result.is_error


@pytest.mark.parametrize(("rel", "line", "value", "kind"), PLANTED, ids=[p[0] + ":" + p[3] for p in PLANTED])
async def test_secrets_in_ordinary_source_are_redacted_and_lines_stay(
    project: Path, rel: str, line: str, value: str, kind: str
) -> None:
    content, is_error = await call(project, "read_file", {"path": rel})
    assert not is_error, content
    data = json.loads(content)
    assert value not in data["content"] and leaked(content) == []
    original = (project / rel).read_text().splitlines()
    shown = data["content"].split("\n")
    assert len(shown) == len(original)
    changed = [i for i, (a, b) in enumerate(zip(original, shown, strict=True)) if a != b]
    assert changed and all(MARKER.search(shown[i]) for i in changed)
    assert kind in " ".join(MARKER.findall(data["content"]))
    assert "print('after')" in shown


async def test_key_blocks_inside_source_are_hidden_whatever_the_window(project: Path) -> None:
    for offset in range(5):
        content, is_error = await call(
            project, "read_file", {"path": "tests/fixtures.py", "offset": offset, "limit": 2}
        )
        assert not is_error and leaked(content) == [], (offset, content)
    content, _ = await call(project, "read_file", {"path": "tests/fixtures.py"})
    assert json.loads(content)["content"].split("\n")[-1] == "NEXT = 1"


@pytest.mark.parametrize("name", RENAMED_ENV)
async def test_env_files_under_other_names_show_no_value(project: Path, name: str) -> None:
    content, _ = await call(project, "read_file", {"path": name})
    assert leaked(content) == [], content
    assert "POSTHOG_KEY" in content and "PORT" in content


async def test_search_shows_no_value_and_is_no_oracle(project: Path) -> None:
    for pattern in ("AKIA", "ghp_", "sk_live", "password", "SECRET_KEY", "BEGIN RSA", "xox", ".", "phc_", "=.*"):
        content, is_error = await call(project, "search_files", {"pattern": pattern, "max_results": 500})
        assert not is_error and leaked(content) == [], (pattern, leaked(content))
    # Guessing a secret one character at a time finds nothing once the first guess is inside it.
    secret = "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j"
    for size in range(1, 12):
        content, _ = await call(project, "search_files", {"pattern": re.escape('SECRET_KEY = "' + secret[:size])})
        assert json.loads(content)["matches"] == [], size
    content, _ = await call(project, "search_files", {"pattern": "AKIAZ7Q3"})
    assert json.loads(content)["matches"] == []


async def test_every_other_tool_result_is_scanned_too(project: Path) -> None:
    for tool, args in (("list_files", {"max_results": 500}), ("detect_framework", {}), ("read_handoffs", {})):
        content, _ = await call(project, tool, args)
        assert leaked(content) == [], tool


async def test_git_ignored_files_are_refused_like_list_leaves_them_out(project: Path) -> None:
    for rel in ("local-notes.md", "private/ops.md"):
        content, is_error = await call(project, "read_file", {"path": rel})
        assert is_error and ".gitignore" in content
    listed, _ = await call(project, "list_files", {"max_results": 500})
    assert "local-notes.md" not in json.loads(listed)["files"]


async def test_strings_the_model_writes_are_scrubbed_of_known_and_secret_shaped_values(project: Path) -> None:
    harness = Harness(project)
    box = harness.box()
    await box.call("read_file", {"path": "config.txt"})  # the run learns these values
    for value in [*ENV_VALUES, "AKIAZ7Q3XJ4KLMN2PQRS", "ghp_R8f2Kq9Lm3Nx7Vb1Cz5Wy4Tu6Is0Oe2Pa8Dg3"]:
        result = await box.call(
            "enqueue_task", {"type": "install", "label": value[:80], "reason": f"r {value}", "inputs": {"v": value}}
        )
        assert not result.is_error, result.content
    written = harness.paths.root
    dumped = json.dumps([t.model_dump(mode="json") for t in harness.store.tasks.values()])
    assert leaked(dumped) == []
    assert written.is_dir()


def test_restore_puts_back_only_values_this_run_handed_out() -> None:
    vault = SecretVault()
    line = vault.redact_line('AWS = "AKIAZ7Q3XJ4KLMN2PQRS"', "x.py")
    marker = MARKER.search(line)
    assert marker is not None and marker.group() == marker_for("aws-access-key", "AKIAZ7Q3XJ4KLMN2PQRS")
    assert vault.restore(line.replace("AWS", "AWS_KEY")) == 'AWS_KEY = "AKIAZ7Q3XJ4KLMN2PQRS"'
    # A marker the run never handed out (forged, or another run's) has no value behind it.
    forged = "[secret:aws-access-key:00000000]"
    assert vault.restore(f"print('{forged}')") == f"print('{forged}')"
    # Where a restored value may go is the proposal store's judgement: test_proposals_secrets.py.


_TOKENS = st.one_of(
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", min_size=16, max_size=16).map(lambda s: "AKIA" + s),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=36, max_size=36).map(
        lambda s: "ghp_" + s
    ),
    st.text("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=24, max_size=30).map(
        lambda s: "sk_live_" + s
    ),
    st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=24, max_size=24).map(lambda s: f"xoxp-1234-5678-{s}"),
)
_CODE = st.sampled_from(
    [
        "const key = {!r}",
        "API_KEY={}",
        "client = Client(token='{}')",
        "  'auth': \"{}\",",
        "# old token {}",
        "x = f({!r})",
    ]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(token=_TOKENS, template=_CODE, before=st.integers(0, 30), after=st.integers(0, 30))
def test_any_token_anywhere_in_a_file_is_hidden(token: str, template: str, before: int, after: int) -> None:
    vault = SecretVault()
    lines = [f"line {i} = {i}" for i in range(before)] + [template.format(token)] + ["end()"] * after
    shown = vault.redact_lines(lines, "app.py")
    assert len(shown) == len(lines)
    assert all(token not in line for line in shown)
    assert shown[:before] == lines[:before]


async def test_an_edit_next_to_a_secret_matches_through_its_marker_and_keeps_the_value(tmp_path: Path) -> None:
    write_tree(
        tmp_path, {"settings.py": 'DEBUG = False\nSECRET_KEY = "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j"\n'}
    )
    harness = Harness(tmp_path)
    task = harness.store.get(harness.start_task())
    box = harness.box(task.id)
    shown = json.loads((await box.call("read_file", {"path": "settings.py"})).content)["content"]
    secret_line = shown.split("\n")[1]
    assert MARKER.search(secret_line)
    edit = {"path": "settings.py", "old": secret_line, "new": secret_line + "\nPOSTHOG = True"}
    result = await box.call("propose_edit", edit)
    assert not result.is_error, result.content
    proposed = harness.services.proposals.proposed_text("settings.py", (task.id, task.attempts))
    assert proposed is not None and "django-insecure-8x#k2" in proposed and "POSTHOG = True" in proposed
    again = json.loads((await box.call("read_file", {"path": "settings.py"})).content)["content"]
    assert leaked(again) == [] and "POSTHOG = True" in again


@pytest.mark.parametrize(
    ("filename", "line"),
    [
        ("requirements.txt", "dj-database-url==2.1.0"),
        ("requirements.txt", "django-allauth>=0.61.1"),
        ("requirements/base.txt", "django-oauth-toolkit~=2.3"),
        ("package.json", '    "next-auth": "^4.24.5",'),
        ("pyproject.toml", 'authlib = "1.3.0"'),
    ],
)
def test_a_pinned_package_named_after_secrets_keeps_its_version(filename: str, line: str) -> None:
    # Found on a public Django app: its pin was hidden, so the review read a requirements file
    # that no longer parsed and failed the run.
    assert SecretVault().redact_line(line, filename) == line


def test_a_secret_that_only_starts_like_a_version_is_still_hidden() -> None:
    shown = SecretVault().redact_line('DATABASE_URL = "7hG9x.Qz2pLw4Kd8Vb"', "settings.toml")
    assert "7hG9x" not in shown and MARKER.search(shown)


def test_secrets_by_line_names_the_lines_a_read_shows_markers_on() -> None:
    vault = SecretVault()
    django = "django-insecure-8x#k2!vq@p0z$w7m3n5b1c9d4f6g8h0j"
    text = f'DEBUG = 1\nSECRET_KEY = "{django}"\nx = 2\nAWS = "AKIAZ7Q3XJ4KLMN2PQRS"\n'
    found = vault.secrets_by_line(text, "settings.py")
    assert set(found) == {1, 3} and django in found[1] and found[3] == {"AKIAZ7Q3XJ4KLMN2PQRS"}
    shown = vault.redact_lines(text.split("\n"), "settings.py")
    assert {n for n, line in enumerate(shown) if MARKER.search(line)} == set(found)
    # A value learnt from another file later marks its line on the next call (the answer is cached per text).
    plain = 'print("hunter2-correct-horse")\n'
    assert vault.secrets_by_line(plain, "a.py") == {}
    vault.remember_values("env-value", ["hunter2-correct-horse"])
    assert vault.secrets_by_line(plain, "a.py") == {0: frozenset({"hunter2-correct-horse"})}


_PLAIN_LINES = st.sampled_from(
    [
        "x = 1",
        "",
        "   ",
        "def f():",
        "    return None",
        "# comment",
        "}",
        "import os",
        "  password = hunter22zz",
        "DATABASE_URL=postgres://u:pw@db/app",
        "conn_string: 'Server=db;Pwd=Xy7q'",
        "db_url: zq81xk2m",
        "  db_url = 'zq81xk2m'",
        "TOKEN=\r",
        "value = 1\r",
    ]
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(
    rows=st.lists(st.one_of(_PLAIN_LINES, st.tuples(_TOKENS, _CODE).map(lambda t: t[1].format(t[0]))), max_size=25),
    name=st.sampled_from(["app.py", "config.txt", "deploy.sh", "settings.json"]),
    known=st.booleans(),
)
def test_secrets_by_line_flags_every_line_a_read_would_hide(rows: list[str], name: str, known: bool) -> None:
    text = "\n".join([*rows, f"DB = connect('{ENV_VALUES[0]}')"]) + "\n"
    by_line, by_read = SecretVault(), SecretVault()
    if known:
        for vault in (by_line, by_read):
            vault.remember_values("env-value", ENV_VALUES)
    found = by_line.secrets_by_line(text, name)
    shown = by_read.redact_lines(text.split("\n")[:-1], name)
    hidden = {n for n, (line, seen) in enumerate(zip(text.split("\n"), shown, strict=False)) if line != seen}
    assert hidden <= set(found), "a line a read hides must never reach a patch"
    lines = text.split("\n")
    for n, values in found.items():
        assert values and any(v in lines[n] for v in values), (n, lines[n], values)
    # Exactly the finder's lines, plus every line holding a value the run knows (the finder's values too).
    naive = SecretVault()
    if known:
        naive.remember_values("env-value", ENV_VALUES)
    dotenv = dotenv_shaped(lines[:-1], name)
    finder = {n: naive.find(line, name, dotenv=dotenv) for n, line in enumerate(lines[:-1])}
    values = set(naive.values.values()) | {value for hits in finder.values() for value in hits}
    flagged = {n for n, hits in finder.items() if hits}
    flagged |= {n for n, line in enumerate(lines[:-1]) if any(value in line for value in values)}
    assert set(found) == flagged


def test_a_value_flagged_on_a_later_line_is_hidden_on_earlier_lines_of_the_first_read() -> None:
    lines = ['x = "zq81xk2mQQ"', "db_url: zq81xk2mQQ"]
    shown = SecretVault().redact_lines(lines, "config.txt")
    assert all("zq81xk2mQQ" not in line and MARKER.search(line) for line in shown), shown


def test_a_short_text_scrubbed_before_a_value_was_learnt_is_scrubbed_again_after() -> None:
    # redact_text keeps its answers for short texts: a value learnt later must still be hidden
    # in a text it was asked about before (by the env inventory, or a value a read flagged).
    vault = SecretVault()
    said = "deploy with opaque-value-1f2e3d please"
    assert vault.scrub(said) == said
    assert vault.redact_text(said) == said
    vault.remember_values("env-value", ["opaque-value-1f2e3d"])
    marker = marker_for("env-value", "opaque-value-1f2e3d")
    assert vault.redact_text(said) == f"deploy with {marker} please"
    assert vault.scrub(said) == f"deploy with {marker} please"
    assert vault.scrub_tree({said: [said]}) == {f"deploy with {marker} please": [f"deploy with {marker} please"]}
