"""Browser-facing HTTP pieces outside xAPI: the dashboard login."""
