"""Documentation that is generated or quoted must match the code."""

import re
from pathlib import Path

from ndalloc.data.docs import input_reference
from ndalloc.data.schema import TABLES, ScenarioMeta

ROOT = Path(__file__).resolve().parents[1]


def test_inputs_reference_is_current():
    """docs/inputs.md is regenerated after every schema change."""
    text = (ROOT / "docs" / "inputs.md").read_text(encoding="utf-8")
    assert text == input_reference(), "run: python -m ndalloc.data.docs > docs/inputs.md"


def test_every_field_has_a_unit_and_meaning():
    for model in [ScenarioMeta, *TABLES.values()]:
        for name, info in model.model_fields.items():
            doc = info.description or ""
            assert len(doc) > 10, f"{model.__name__}.{name} has no documentation"
            numeric = info.annotation in (int, float)
            if numeric:
                assert re.search(r"\[[^\]]+\]\.?$", doc), f"{model.__name__}.{name} has no unit"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, flags=re.S)
    setup, test_command = blocks[0].strip(), blocks[1].strip()
    assert "ndalloc solve" in setup
    assert "pytest" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci.splitlines()
    assert "-c constraints.txt" in setup and "-c constraints.txt" in test_command


def test_constraints_pin_every_dependency_within_its_range():
    """constraints.txt pins each dependency of pyproject.toml to a version its range allows."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [
        Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]
    ]
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    for req in wanted:
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), (
            f"{name}=={pins[name]} is outside {req.specifier}"
        )


def test_formulation_names_every_family():
    """docs/formulation.md uses the code's names for every variable and constraint family."""
    import ndalloc
    from ndalloc.lp.build import build_model

    built = build_model(ndalloc.load_scenario("india-base"))
    text = (ROOT / "docs" / "formulation.md").read_text(encoding="utf-8")
    for name in [*built.variables, *built.constraints]:
        assert name in text or name.replace("_", r"\_") in text, f"{name} missing from formulation"
