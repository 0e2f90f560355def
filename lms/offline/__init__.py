"""Installing Pelita and reading saved courses offline: the web app manifest, the service worker
and its two offline pages (docs/offline.md, "Reading offline")."""
