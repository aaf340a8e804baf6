"""Words a clerk understands on the striving pages (issue 20 point 4): the project page's
guides are 可申报的指南, a match's fit is said in words (高/中/低) wherever a page shows it, and
the measure a project answers is chosen under its policy's name (two policies both have 一)."""

import re

import pytest

from conftest import login, screenshot, settle
from funding.models import Guide, Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FITS = {"匹配度高", "匹配度中", "匹配度低"}
RAW_SCORE = re.compile(r"\d+\.\d\d(?!\d)")


def second_policy():
    """A second policy whose measures are numbered 一, 二… like the demo's."""
    from policy import services as policy
    from policy.models import Aspect, Policy

    other = policy.save_policy(
        user=None, title="关于推进城市更新行动的若干措施", short_name="《城市更新措施》"
    )
    aspect = Aspect.objects.order_by("pk").first()
    measure = policy.save_measure(
        user=None, policy=other, aspect=aspect, code="一", text="支持城市更新项目申请专项债券"
    )
    # the demo's policy with measures (the meetings' decisions have a policy of their own,
    # with none: no group of the select)
    demo = Policy.objects.exclude(pk=other.pk).filter(measures__isnull=False).distinct().get()
    return demo, measure


@pytest.mark.parametrize("width", [1366, 360])
def test_guides_fits_and_measures_read_in_words(demo, new_page, width):
    demo_policy, measure = second_policy()
    project = Project.objects.get(code="CB2025-ZJJ-02")
    guide = Guide.objects.get(code="ZN2024-102")
    page = new_page(viewport=(width, 900))
    login(page, "zjj")

    # the form: the measures under their policy, the second policy's 一 told from the first's
    page.goto(f"/funding/projects/{project.pk}/edit/")
    groups = page.eval_on_selector_all(
        "#id_measure optgroup",
        "gs => gs.map(g => [g.label, Array.from(g.children).map(o => o.textContent)])",
    )
    labels = [label for label, _options in groups]
    assert labels == [str(demo_policy), "《城市更新措施》"] or labels == [
        "《城市更新措施》",
        str(demo_policy),
    ]
    # a closed select shows the chosen option alone: it names its policy too
    assert all(options[0].startswith(f"{label} 一 ") for label, options in groups)
    page.select_option("#id_measure", value=str(measure.pk))
    assert page.eval_on_selector("#id_measure", "s => s.selectedOptions[0].textContent") == (
        "《城市更新措施》 一 支持城市更新项目申请专项债券"
    )
    screenshot(page, f"funding-project-edit-measure-{width}")
    page.click("#project-save")
    settle(page)

    # the project page: its guides headed plainly, each fit in words, no bare score
    assert re.search(r"/funding/projects/\d+/$", page.url)
    facts = page.locator("main").inner_text()
    assert "《城市更新措施》 · 一 支持城市更新项目申请专项债券" in facts
    fitting = page.locator("#fitting-guides")
    assert fitting.locator("h2").inner_text() == "可申报的指南"
    fits = fitting.locator(".score").all_inner_texts()
    assert fits and set(fits) <= FITS
    assert not RAW_SCORE.search(fitting.inner_text())
    screenshot(page, f"funding-project-fitting-guides-{width}")

    # the guide page: the best match is a high fit, every fit in words, the scale explained
    page.goto(f"/funding/guides/{guide.pk}/")
    matches = page.locator("#matches")
    fits = matches.locator(".score").all_inner_texts()
    assert fits[0] == "匹配度高" and set(fits) <= FITS and len(set(fits)) > 1
    assert not RAW_SCORE.search(matches.inner_text())
    assert "匹配度高：" in matches.inner_text()
    screenshot(page, f"funding-guide-matches-{width}")
