"""Corrections (更正) of receipts: services, forms and pages (design §10)."""
