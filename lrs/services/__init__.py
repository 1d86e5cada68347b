"""Use cases of the LRS. Each public function is one transaction; views and the CLI call
these, never the store directly."""
