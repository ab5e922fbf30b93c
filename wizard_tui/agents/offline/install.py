"""The `install` body: declare the PostHog SDKs in the app's manifest; no package manager runs.

JavaScript apps get `package.json` dependencies with a version range. Python apps get the
manifest their package manager reads: `[tool.poetry.dependencies]` for poetry, PEP 621
`[project] dependencies` when the pyproject declares the app's dependencies, else a
requirements file (a new `requirements.txt` when the project has no manifest at all).
The report names the command that installs what was declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from wizard_tui.agents.offline import manifests
from wizard_tui.agents.offline.changes import Plan
from wizard_tui.agents.offline.project import ProjectReader, first_existing, join
from wizard_tui.domain.frameworks import SDK_VERSIONS, Framework, install_command

_SKIP_LIB_CHECK = re.compile(r'"skipLibCheck"\s*:\s*true')
_REQUIREMENT_FILES = (
    "requirements.txt",
    "requirements/base.txt",
    "requirements/common.txt",
    "requirements/prod.txt",
    "requirements/production.txt",
    "requirements.in",
)


@dataclass
class InstallResult:
    """The plan, plus the manifest it edits and the command the user runs afterwards."""

    plan: Plan
    manifest: str | None = None
    command: str | None = None


async def plan_install(
    project: ProjectReader, framework: Framework, *, app_dir: str, package_manager: str | None, sdks: list[str]
) -> InstallResult:
    """Declare `sdks` in the app's manifest, or say why not."""
    if framework.ecosystem == "javascript":
        return await _javascript(project, app_dir, package_manager, sdks)
    if framework.ecosystem == "python":
        return await _python(project, app_dir, package_manager, sdks)
    if framework.id == "unknown":
        return InstallResult(
            Plan.skip(
                "No framework was recognised, so there is no manifest the PostHog SDK belongs in.",
                "Pick the PostHog SDK for your stack at https://posthog.com/docs/libraries.",
            )
        )
    return InstallResult(
        Plan.skip(
            f"The offline agent does not edit {framework.name} manifests.",
            f"Add {', '.join(sdks) or 'the PostHog SDK'} to the project's dependencies"
            + (f" (see {framework.docs})." if framework.docs else "."),
        )
    )


def _in_dir(app_dir: str, command: str) -> str:
    return command if app_dir in ("", ".") else f"cd {app_dir} && {command}"


async def _javascript(
    project: ProjectReader, app_dir: str, package_manager: str | None, sdks: list[str]
) -> InstallResult:
    path = join(app_dir, "package.json")
    text = await project.read(path)
    if text is None:
        return InstallResult(Plan.skip(f"{path} could not be read, so there is no manifest to declare the SDKs in."))
    declared = manifests.json_declared(text)
    if declared is None:
        return InstallResult(Plan.skip(f"{path} is not valid JSON; fix it, then add {', '.join(sdks)}."))
    missing = {name: SDK_VERSIONS.get(name, "*") for name in sdks if name not in declared}
    command = _in_dir(app_dir, install_command(package_manager or "npm", path))
    if not missing:
        return InstallResult(Plan.skip(f"{path} already declares {', '.join(sdks)}; nothing to add."), path, command)
    after = manifests.add_json_dependencies(text, missing)
    if after is None:
        return InstallResult(
            Plan.skip(
                f"The dependencies of {path} have a layout the offline agent does not edit safely.",
                f"Add {', '.join(f'{n}@{v}' for n, v in missing.items())} to {path}.",
            )
        )
    plan = Plan()
    listing = ", ".join(f"{n} {v}" for n, v in missing.items())
    plan.edit(path, text, after, f"Declared {listing} in {path} so the app can import PostHog.")
    if "posthog-node" in missing and await _lib_check_needs_express(project, app_dir, declared):
        plan.manual.append(
            "posthog-node's type declarations import express's types, and tsconfig.json checks libraries: "
            "if `tsc` reports TS2307 for 'express' inside posthog-node, add @types/express as a dev "
            'dependency or set "skipLibCheck": true.'
        )
    return InstallResult(plan, path, command)


async def _lib_check_needs_express(project: ProjectReader, app_dir: str, declared: set[str]) -> bool:
    """A TypeScript app without express's types whose tsc checks the libraries' declarations.

    posthog-node 5 exports its express error handler from its main declarations, so such an
    app's build breaks on posthog-node's types (found on a Fastify app in TypeScript).
    """
    if declared & {"express", "@types/express"}:
        return False
    tsconfig = await project.read(join(app_dir, "tsconfig.json"))
    return tsconfig is not None and _SKIP_LIB_CHECK.search(tsconfig) is None


async def _python(project: ProjectReader, app_dir: str, package_manager: str | None, sdks: list[str]) -> InstallResult:
    minimum = SDK_VERSIONS["posthog"]
    requirement = f"posthog>={minimum}"
    pyproject_path = join(app_dir, "pyproject.toml")
    pyproject = await project.read(pyproject_path) if await first_existing(project, pyproject_path) else None
    data = manifests.load_toml(pyproject) if pyproject is not None else None
    if pyproject is not None and data is None:
        return InstallResult(Plan.skip(f"{pyproject_path} is not valid TOML; fix it, then add {requirement}."))
    if data is not None and "posthog" in manifests.pyproject_declared(data):
        return InstallResult(Plan.skip(f"{pyproject_path} already declares posthog; nothing to add."))

    plan = Plan()
    poetry = data is not None and "dependencies" in data.get("tool", {}).get("poetry", {})
    pep621 = data is not None and "dependencies" in data.get("project", {})
    if pyproject is not None and (poetry or pep621):
        if poetry and not pep621:
            after = manifests.poetry_declare(pyproject, "posthog", f"^{minimum}")
            where = "[tool.poetry.dependencies]"
        else:
            after = manifests.pep621_declare(pyproject, requirement)
            where = "[project] dependencies"
        if after is None:
            return InstallResult(
                Plan.skip(
                    f"{pyproject_path} has a layout the offline agent does not edit safely.",
                    f"Add {requirement} to {where} in {pyproject_path}.",
                )
            )
        plan.edit(pyproject_path, pyproject, after, f"Declared {requirement} in {where} of {pyproject_path}.")
        manager = package_manager or ("poetry" if poetry and not pep621 else "pip")
        command = "pip install -e ." if manager == "pip" else install_command(manager, pyproject_path)
        return InstallResult(plan, pyproject_path, _in_dir(app_dir, command))

    requirements = await first_existing(project, *(join(app_dir, f) for f in _REQUIREMENT_FILES))
    if requirements is not None:
        text = await project.read(requirements)
        if text is None:
            return InstallResult(Plan.skip(f"{requirements} could not be read whole."))
        if any(manifests.requirement_name(line) == "posthog" for line in text.split("\n")):
            return InstallResult(Plan.skip(f"{requirements} already declares posthog; nothing to add."))
        after = manifests.requirements_declare(text, requirement)
        if after is None:
            return InstallResult(Plan.skip(f"{requirements} could not be extended safely."))
        plan.edit(requirements, text, after, f"Declared {requirement} in {requirements}.")
        name = requirements.removeprefix(f"{app_dir}/") if app_dir not in ("", ".") else requirements
        return InstallResult(plan, requirements, _in_dir(app_dir, f"pip install -r {name}"))

    project_table = (data or {}).get("project")
    # `dynamic = ["dependencies"]` means another file declares them: a static list would be invalid.
    if isinstance(project_table, dict) and "dependencies" not in project_table.get("dynamic", []):
        after = manifests.pep621_declare(pyproject or "", requirement)
        if after is not None:
            note = f"Declared {requirement} in [project] of {pyproject_path}."
            plan.edit(pyproject_path, pyproject or "", after, note)
            return InstallResult(plan, pyproject_path, _in_dir(app_dir, "pip install -e ."))

    pipfile = join(app_dir, "Pipfile")
    if await first_existing(project, pipfile):
        text = await project.read(pipfile)
        after = manifests.table_declare(text or "", "packages", "posthog", f">={minimum}") if text else None
        if text is None or after is None:
            return InstallResult(Plan.skip(f"{pipfile} has a layout the offline agent does not edit safely."))
        plan.edit(pipfile, text, after, f"Declared posthog >={minimum} in [packages] of {pipfile}.")
        return InstallResult(plan, pipfile, _in_dir(app_dir, "pipenv install"))

    setup = await first_existing(project, join(app_dir, "setup.py"), join(app_dir, "setup.cfg"))
    if setup is not None or isinstance(project_table, dict):
        where = setup or pyproject_path
        return InstallResult(
            Plan.skip(
                f"The dependencies are declared in {where} in a form the offline agent does not edit.",
                f"Add {requirement} to the install requirements in {where}.",
            )
        )

    path = join(app_dir, "requirements.txt")
    plan.add_file(path, f"{requirement}\n", f"Created {path} declaring {requirement}: the project had no manifest.")
    return InstallResult(plan, path, _in_dir(app_dir, "pip install -r requirements.txt"))
