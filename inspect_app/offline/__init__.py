"""Installable and offline: versioned static files, the manifest, the service worker."""
