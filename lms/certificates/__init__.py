"""Certificates: typeable codes, signed Open Badges credentials and WeasyPrint PDFs.

The modules here (codes, signing, pdf) are pure: no Flask, no database.
"""
