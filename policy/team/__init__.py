"""A team per work item (一套班子, design §12): the lead leader (the item's) and, for each unit
of the item, its person responsible and its contact person, chosen from the unit's people.

`people_to_remind(item, unit)` is what the reminder sources ask: the unit's responsible and
contact persons (active accounts), or [] when the unit has named none (the reminder then goes
to the unit as before)."""

from django.contrib.auth import get_user_model


def people_to_remind(item, unit) -> list:
    """The people of `unit` to remind about `item`: its responsible then contact person."""
    team = (
        item.teams.filter(unit=unit).select_related("responsible", "contact").first()
        if item.pk
        else None
    )
    if team is None:
        return []
    people = []
    for person in (team.responsible, team.contact):
        if person is not None and person.is_active and person not in people:
            people.append(person)
    return people


def members_of(unit):
    """The people a unit's team is chosen from: its active members."""
    return (
        get_user_model()
        .objects.filter(membership__unit=unit, is_active=True)
        .order_by("first_name", "username")
    )
