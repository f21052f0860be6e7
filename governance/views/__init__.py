"""The review UI, one module per area (STYLE.md, Views and API)."""
