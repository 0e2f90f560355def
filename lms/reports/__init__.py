"""Reports: what trainers and the programme office read — cohort dashboards, gradebooks, item
statistics, the training cascade and the programme roll-up.

Reports only read (`queries.py`, aggregated in SQL); the pure arithmetic (item statistics) and
the SVG charts (`charts.py`) know nothing of Flask or the database. Every report filters its rows
with the access policy (`lms.access`)."""
