"""The REST API (issue 4): DRF views over the same selectors and services as the review UI."""
