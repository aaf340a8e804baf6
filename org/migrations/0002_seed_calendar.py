"""Seed the statutory holiday table from chinesecalendar for every year it knows."""

from django.db import migrations


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("org", "CalendarYear")
    CalendarDay = apps.get_model("org", "CalendarDay")
    from org.calendar import chinesecalendar_differences

    first, last = chinesecalendar_years()
    for year in range(first, last + 1):
        CalendarYear.objects.get_or_create(
            year=year, defaults={"source": f"chinesecalendar {chinese_calendar.__version__}"}
        )
        for day, is_workday, name in chinesecalendar_differences(year):
            CalendarDay.objects.update_or_create(
                date=day, defaults={"is_workday": is_workday, "name": name}
            )


def chinesecalendar_years() -> tuple[int, int]:
    import chinese_calendar

    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return min(years), max(years)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
