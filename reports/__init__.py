"""Report helpers every app's exports share: formula-safe CSV cells, one look for PDF reports
(styles, tables, page footer) and percentages as people read them.

Ground floor: imports no app, so results' candidate reports and compliance's audit exports and
bias audits format alike without results importing compliance.
"""
