"""The JSON API under /api/v1 used by the phone's send queue, described by OpenAPI 3."""
