"""The authoring area's writers, one module per seam: `drafts` (the workspace of pack files: its
transactions, revisions, publishing and the audit rows), `editing` (course settings, modules and
media built from the editors' values) and `zips` (zip export, previewed import)."""
