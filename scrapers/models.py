"""Sources and items arrive with the scrapers issue."""
