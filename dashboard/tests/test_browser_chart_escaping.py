"""Every name in every chart is text (issue 9 point 3): a unit and a channel named like an
attack, every tooltip of the cockpit and of the unit page shown, with the page's CSP turned
off so that only the escaping stands between the name and the browser."""

import datetime as dt

import pytest

from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL_UNIT = "V<img src=x onerror=alert(1)>"
EVIL_UNIT_2 = '"><svg onload=alert(2)><b>粗'
EVIL_CHANNEL = "C<img src=y onerror=alert(3)>"
CHARTS = ["chart-units", "chart-months", "chart-levels", "chart-channels"]

# Shows each data point's tooltip of one chart; returns the tooltip texts and HTML seen.
SHOW_TOOLTIPS = """
(id) => {
  const el = document.getElementById(id);
  if (!el) return null;
  const chart = echarts.getInstanceByDom(el);
  const seen = [];
  chart.getOption().series.forEach((series, seriesIndex) => {
    (series.data || []).forEach((_, dataIndex) => {
      chart.dispatchAction({ type: "showTip", seriesIndex, dataIndex });
      const tips = Array.from(el.querySelectorAll("div")).filter(
        (d) => d.style.zIndex === "9999999" && d.innerHTML);
      tips.forEach((tip) => seen.push({ text: tip.innerText, html: tip.innerHTML }));
    });
  });
  chart.dispatchAction({ type: "hideTip" });
  return seen;
}
"""
INJECTED = """
() => Array.from(document.querySelectorAll("*")).filter(
  (e) => e.tagName === "IMG" ||
         Array.from(e.attributes).some((a) => a.name.toLowerCase().startsWith("on"))
).map((e) => e.outerHTML.slice(0, 120))
"""


def plant_evil_names():
    from funding import services as funding
    from org import services as org

    channel = funding.save_channel(user=None, code="EVIL", name=EVIL_CHANNEL, level="provincial")
    units = []
    for code, name in (("EVIL1", EVIL_UNIT), ("EVIL2", EVIL_UNIT_2)):
        unit, _ = org.save_unit(user=None, code=code, name=name, sort_order=900)
        funding.set_target(user=None, unit=unit, year=2024, amount=20_000_000)
        funding.record_receipt(
            user=None,
            unit=unit,
            amount=5_000_000,
            received_on=dt.date(2024, 5, 20),
            doc_no=f"{code}-1",
            channel=channel,
        )
        units.append(unit)
    return units


def test_names_in_every_chart_tooltip_stay_text(demo, browser, live_server):
    units = plant_evil_names()
    context = browser.new_context(
        viewport={"width": 1366, "height": 900},
        locale="zh-CN",
        base_url=live_server.url,
        bypass_csp=True,  # the CSP alone stopped the attack before: take it away
    )
    context.set_default_timeout(15_000)
    dialogs = []
    try:
        page = context.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        login(page, "office")
        seen_by_page = {}
        for url in ("/cockpit/", f"/cockpit/unit/{units[0].pk}/"):
            page.goto(url)
            page.wait_for_function("() => window.echarts && document.querySelector('svg')")
            seen = []
            for chart in CHARTS:
                seen += page.evaluate(SHOW_TOOLTIPS, chart) or []
            page.wait_for_timeout(500)  # a failed image calls its onerror after a moment
            seen_by_page[url] = seen
            assert page.evaluate(INJECTED) == [], url
        screenshot(page, "cockpit-evil-names-unit-page")
        cockpit = seen_by_page["/cockpit/"]
        texts = [tip["text"] for tip in cockpit]
        # the tooltips were shown, and named the units and the channel as they are written
        assert any(EVIL_UNIT in text for text in texts), texts[:5]
        assert any(EVIL_UNIT_2 in text for text in texts)
        assert any(EVIL_CHANNEL in text for text in texts)
        assert any("&lt;img src=x" in tip["html"] for tip in cockpit)
        assert len(seen_by_page[f"/cockpit/unit/{units[0].pk}/"]) >= 6  # the months' tooltips
        assert dialogs == []
    finally:
        context.close()
