"""The 到位资金 sheet against the receipts already recorded (a mixin of `ledger.services._Plan`):
only the stored receipts the file's rows can collide with are read, every new row goes
through the receipt rule, and the rows are written through `bulk_record_receipts`."""

import datetime as dt
from collections.abc import Iterator

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import AuditBatch
from funding.choices import ReceiptState
from funding.docno import normalise_doc_no
from funding.models import (
    ClaimReview,
    Project,
    Receipt,
)
from funding.receipt_rule import (
    Earlier,
    ProjectFacts,
    ReceiptBook,
    ReceiptRefused,
    check_receipt,
    complete_links,
)
from funding.services import (
    bulk_record_receipts,
)

from .cells import (
    PROGRESS_EVERY,
)
from .format import Issue

RECEIPT_BATCH = 500  # keys a query (SQLite allows 32,766 parameters; PostgreSQL more)


def by_keys(queryset, field: str, keys) -> Iterator:
    """`queryset` limited to the rows whose `field` is one of `keys`, a batch of keys a
    query: what a file names, whatever else the database holds."""
    ordered = sorted(set(keys))
    for start in range(0, len(ordered), RECEIPT_BATCH):
        yield from queryset.filter(**{f"{field}__in": ordered[start : start + RECEIPT_BATCH]})


def receipts_colliding_with(rows: list[tuple], unit_pk: dict[str, int]):
    """The stored receipts a file's receipt rows can collide with, and only those: the ones
    sharing a normalised 文号 with a row (an exact repeat, a duplicate or a doubtful claim),
    and for a row without 文号 the ones of its unit on its date without one. Looked up by key,
    a batch at a time, so an import costs what its file holds, not what the database does.
    Yields (pk, unit id, date, amount, 文号, 文号 key, project code, channel id, level)."""
    fields = (
        "pk",
        "unit_id",
        "received_on",
        "amount",
        "doc_no",
        "doc_key",
        "project__code",
        "channel_id",
        "level",
    )
    keys, blank = set(), set()
    for row in rows:
        key = normalise_doc_no(row[4])
        if key:
            keys.add(key)
        elif row[1] in unit_pk:
            blank.add((unit_pk[row[1]], row[3]))
    ordered = sorted(keys)
    for start in range(0, len(ordered), RECEIPT_BATCH):
        yield from (
            Receipt.objects.filter(doc_key__in=ordered[start : start + RECEIPT_BATCH])
            .order_by("-received_on", "-id")
            .values_list(*fields)
        )
    pairs = sorted(blank)
    for start in range(0, len(pairs), RECEIPT_BATCH):
        match = Q()
        for unit_id, on in pairs[start : start + RECEIPT_BATCH]:
            match |= Q(unit_id=unit_id, received_on=on)
        yield from Receipt.objects.filter(match, doc_key="").values_list(*fields)


class ReceiptRows:
    """The receipts sheet: its changes and its writing."""

    def _receipt_book(self) -> ReceiptBook:
        """The receipt rule's book keyed as the file writes things (unit and project codes,
        channel names): the projects as they will be after this import (the database's,
        with this file's 项目 sheet over them), the channels' levels, the office's
        confirmations. The receipts already recorded are added by `_diff_receipts` as it
        reads them."""
        book = ReceiptBook()
        for code, unit, stage, channel, level, name in by_keys(
            Project.objects.values_list(
                "code", "unit__code", "stage", "channel__name", "level", "name"
            ),
            "code",
            self._project_codes_named(),
        ):
            book.projects[code] = ProjectFacts(unit, stage, channel or None, level, name)
        present = self.present.get("projects", set())
        for row in self.rows.get("projects", []):
            known = book.projects.get(row["code"])
            channel = row["channel"] if "channel" in present or known is None else known.channel
            level = row["level"] if "level" in present or known is None else known.level
            book.projects[row["code"]] = ProjectFacts(
                row["unit"], row["stage"], channel or None, level or "", row["name"]
            )
        book.channel_levels = {name: c.level for name, c in self.channels.items()}
        book.channel_levels.update(self.new_channels)
        codes = {u.pk: c for c, u in self.units.items()}
        for key, unit_id in ClaimReview.units.through.objects.values_list(
            "claimreview__doc_key", "unit_id"
        ):
            book.confirmed.setdefault(key, set()).add(codes.get(unit_id, ""))
        return book

    def _kept_out(self, unit_ids: dict[int, str]) -> dict[tuple, tuple[str, dt.datetime]]:
        """Receipts no longer in effect (voided, corrected, rejected as a double claim) by
        unit+date+amount+文号: a ledger that still holds one does not bring it back. Those of
        the units the rows name only."""
        kept_out = {}
        pk_of = {code: pk for pk, code in unit_ids.items()}
        named = {pk_of[row[1]] for row in self.rows["receipts"] if row[1] in pk_of}
        for unit_id, on, amount, doc, state, when in by_keys(
            Receipt.every.exclude(state=ReceiptState.ACTIVE)
            .annotate(when=Max("corrections__decided_at"))
            .values_list("unit_id", "received_on", "amount", "doc_no", "state", "when"),
            "unit_id",
            named,
        ):
            kept_out[(unit_ids[unit_id], on, amount, doc)] = (state, when)
        return kept_out

    def _kept_out_message(self, state: str, when: dt.datetime | None) -> str:
        date = timezone.localtime(when).date().isoformat() if when else "—"
        if state == ReceiptState.REJECTED:
            return _(
                "The office rejected this receipt as a double claim on %(date)s; it is not "
                "imported again."
            ) % {"date": date}
        if state == ReceiptState.VOIDED:
            return _("This receipt was voided on %(date)s; it is not imported again.") % {
                "date": date
            }
        return _(
            "This receipt was corrected on %(date)s; the corrected receipt stands and this row "
            "is not imported again."
        ) % {"date": date}

    RULE_COLUMNS = {
        "unit": "unit",
        "amount": "amount",
        "received_on": "date",
        "doc_no": "doc_no",
        "project": "project",
        "channel": "channel",
        "level": "level",
    }

    def _diff_receipts(self):
        """Receipts by unit+date+amount+文号 (an exact repeat is unchanged or updated). Every
        new row goes through the receipt rule (`funding.receipt_rule.check_receipt`, the
        one every path calls): its refusals are errors in the column at fault (a duplicate of
        a receipt already recorded or of an earlier row, the project of another unit or not
        approved…), its completions what is written (channel and level from the project). A
        new row whose 文号 another unit recorded is a doubtful claim: a warning. A row of a
        receipt no longer in effect (voided, corrected, rejected) is not imported again (a
        warning)."""
        rows = self.rows.get("receipts", [])
        self.receipt_counts = (0, 0, 0)
        if not rows:
            return [], []
        present = self.present["receipts"]
        unit_ids = {u.pk: c for c, u in self.units.items()}
        book = self._receipt_book()
        existing = {}
        for (
            pk,
            unit_id,
            on,
            amount,
            doc,
            doc_key,
            project_code,
            channel_id,
            level,
        ) in receipts_colliding_with(rows, {c: u.pk for c, u in self.units.items()}):
            unit = unit_ids[unit_id]
            existing[(unit, on, amount, doc)] = (
                pk,
                project_code or "",
                self._channel_name(channel_id),
                level,
            )
            if doc_key:
                book.recorded.setdefault((unit, doc_key, amount), Earlier(on, amount, doc))
                book.key_units.setdefault(doc_key, set()).add(unit)
        kept_out = self._kept_out(unit_ids)
        reader = self.readers["receipts"]
        creates, updates, unchanged = [], [], 0

        def refused(row: int, exc: ReceiptRefused) -> None:
            message = exc.messages[0]
            if exc.earlier is not None and exc.earlier.row is not None:
                message = _(
                    "Same unit, document number and amount as row %(row)s: the same money "
                    "cannot be recorded twice."
                ) % {"row": exc.earlier.row}
            reader.error(row, reader.column_name(self.RULE_COLUMNS[exc.field]), message)

        for item in rows:
            row, unit, amount, on, doc, project, channel, level = item
            if row in self.receipts_unmapped:
                continue
            have = existing.get((unit, on, amount, doc))
            if have is None:
                gone = kept_out.get((unit, on, amount, doc))
                if gone is not None:
                    self.issues.append(
                        Issue(
                            self._kept_out_message(*gone),
                            sheet=reader.title,
                            row=row,
                            column=reader.column_name("doc_no"),
                            warning=True,
                        )
                    )
                    unchanged += 1
                    continue
                try:
                    checked = check_receipt(
                        book=book,
                        unit=unit,
                        amount=amount,
                        received_on=on,
                        doc_no=doc,
                        project=project or None,
                        channel=channel or None,
                        level=level,
                        today=self.today,
                    )
                except ReceiptRefused as exc:
                    refused(row, exc)
                    continue
                book.add(checked, row=row)
                creates.append(
                    (row, unit, amount, on, doc, project, checked.channel or "", checked.level)
                )
                continue
            try:
                channel, level = complete_links(
                    book=book,
                    unit=unit,
                    project=project or None,
                    channel=channel or None,
                    level=level,
                )
            except ReceiptRefused as exc:
                refused(row, exc)
                continue
            channel = channel or ""
            wanted = {}
            if "project" in present and have[1] != project:
                wanted["project"] = project
            if "channel" in present and have[2] != channel:
                wanted["channel"] = channel
            if "level" in present and have[3] != level:
                wanted["level"] = level
            if wanted:
                updates.append((have[0], wanted))
            else:
                unchanged += 1
        self._warn_doubtful(creates, book, reader)
        self.receipt_counts = (len(creates), len(updates), unchanged)
        return creates, updates

    def _warn_doubtful(self, creates: list, book: ReceiptBook, reader) -> None:
        """A warning on each new receipt whose 文号 another unit recorded too (design §3.1),
        in this file or before, unless the office confirmed the claim for all those units:
        the rule's `sharing` once the whole file is in the book."""
        names = {code: unit.name for code, unit in self.units.items()}
        order = {code: unit.sort_order for code, unit in self.units.items()}
        names.update({u["code"]: u["name"] for u in self.rows.get("units", [])})
        for item in creates:
            others = book.sharing(item[1], normalise_doc_no(item[4]))
            if not others:
                continue
            others = sorted(others, key=lambda c: (order.get(c, 1 << 30), c))
            self.issues.append(
                Issue(
                    _(
                        "Document number %(doc_no)s is also recorded by %(units)s: a doubtful "
                        "claim. It is counted, and listed as 待核实 until the office confirms "
                        "it or rejects a receipt."
                    )
                    % {
                        "doc_no": item[4],
                        "units": "、".join(f"{names.get(c, c)}（{c}）" for c in others),
                    },
                    sheet=reader.title,
                    row=item[0],
                    column=reader.column_name("doc_no"),
                    warning=True,
                )
            )

    def _project_codes_named(self) -> set[str]:
        """The projects the 到位资金 rows name and those of the 项目 sheet: the only ones the
        receipts' checks and writes look up."""
        codes = {row["code"] for row in self.rows.get("projects", [])}
        codes.update(receipt[5] for receipt in self.rows.get("receipts", []) if receipt[5])
        return codes

    def _write_receipts(self, user, audit: AuditBatch, unit_id: dict[str, int]) -> None:
        creates, updates = self.receipt_changes
        projects = dict(
            by_keys(Project.objects.values_list("code", "pk"), "code", self._project_codes_named())
        )
        if self.progress and len(creates) >= PROGRESS_EVERY:
            self.progress(_("writing"), len(creates))
        changes = []
        for pk, wanted in updates:
            values = {}
            if "project" in wanted:
                values["project_id"] = projects[wanted["project"]] if wanted["project"] else None
            if "channel" in wanted:
                values["channel_id"] = self._channel_id(wanted["channel"])
            if "level" in wanted:
                values["level"] = wanted["level"]
            changes.append((pk, values))
        bulk_record_receipts(
            user=user,
            audit=audit,
            creates=[
                (
                    unit_id[unit],
                    projects[project] if project else None,
                    amount,
                    on,
                    doc,
                    self._channel_id(channel),
                    level,
                )
                for _row, unit, amount, on, doc, project, channel, level in creates
            ],
            updates=changes,
            unit_names={unit.pk: unit.name for unit in self.units.values()},
            # the 项目 sheet's stages stand; money advances only the projects it leaves out
            stages_given=frozenset(projects[row["code"]] for row in self.rows.get("projects", [])),
        )
