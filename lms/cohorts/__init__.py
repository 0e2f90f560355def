"""Cohorts (angkatan): groups of participants taking courses together with master trainers."""
