"""The office's own working-day calendar, seeded from chinesecalendar and editable."""

import datetime as dt

from common.dates import WorkCalendar

_HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def chinesecalendar_differences(year: int) -> list[tuple[dt.date, bool, str]]:
    """Days of `year` where chinesecalendar's answer differs from Mon–Fri."""
    import chinese_calendar

    out = []
    day = dt.date(year, 1, 1)
    while day.year == year:
        is_workday = chinese_calendar.is_workday(day)
        if is_workday != (day.weekday() < 5):
            _, name = chinese_calendar.get_holiday_detail(day)
            label = _HOLIDAY_NAMES_ZH.get(name or "", name or "")
            if is_workday:
                label = f"{label}调休上班" if label else "调休上班"
            out.append((day, is_workday, label))
        day += dt.timedelta(days=1)
    return out


def load_calendar(start_year: int | None = None, end_year: int | None = None) -> WorkCalendar:
    """The working-day calendar as entered by the office (optionally only some years)."""
    from .models import CalendarDay, CalendarYear

    days = CalendarDay.objects.all()
    years = CalendarYear.objects.all()
    if start_year is not None:
        days = days.filter(date__year__gte=start_year)
        years = years.filter(year__gte=start_year)
    if end_year is not None:
        days = days.filter(date__year__lte=end_year)
        years = years.filter(year__lte=end_year)
    return WorkCalendar(
        overrides=dict(days.values_list("date", "is_workday")),
        known_years=set(years.values_list("year", flat=True)),
    )
