"""Pages that show the read model's figures, and the URL modules that route to them.

A page of funding or org that shows figures (a unit's completion, the targets list's columns)
reads `reporting.read_model`, which reads funding and org: it sits here, above the read model, so
imports run one way (see common/tests/test_layers.py). The apps' URL modules moved here whole,
each keeping its namespace (`funding:`, `org:`), since they route to these pages beside the
apps' own views.
"""
