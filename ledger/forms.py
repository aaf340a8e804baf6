from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from .reader import max_upload_bytes

ACCEPTED = (".xlsx", ".zip", ".csv")


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_(
            "An .xlsx workbook with the sheets 单位, 领导, 争取任务, 项目, 到位资金; or one .csv "
            "named after its sheet; or a .zip of such CSV files."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED)}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(max)s MB.") % {"max": max_upload_bytes() // 1024**2}
            )
        if Path(upload.name).suffix.lower() not in ACCEPTED:
            raise forms.ValidationError(
                _("Upload an .xlsx workbook, a .csv file or a .zip of CSV files.")
            )
        return upload
