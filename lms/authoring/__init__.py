"""Authoring in the browser: a draft workspace of pack files per course, published as a new
content version through the same loader and importer as `flask lms import`."""
