"""What users may give (a source, a saved search), checked one way whether it comes from the
API's JSON, the admin page's form or the CLI's options."""
