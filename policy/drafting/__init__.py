"""Policy text → draft work items (design §12).

Pure functions, no database: `reading` turns an uploaded .txt/.docx into lines, `parser`
splits the lines into items and reads each item's units, leader and dates, `names` resolves
unit names by full name and alias, `dates` reads deadlines. `services` writes confirmed drafts
through `policy.services` and keeps the office's aliases.
"""
