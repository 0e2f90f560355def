"""The courses area's writers: `importer` (course packs in, content versions out; export)."""
