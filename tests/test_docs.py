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


def test_formulation_names_every_family():
    """docs/formulation.md uses the code's names for every variable and constraint family."""
    import ndalloc
    from ndalloc.lp.build import build_model

    built = build_model(ndalloc.load_scenario("india-base"))
    text = (ROOT / "docs" / "formulation.md").read_text(encoding="utf-8")
    for name in [*built.variables, *built.constraints]:
        assert name in text or name.replace("_", r"\_") in text, f"{name} missing from formulation"
