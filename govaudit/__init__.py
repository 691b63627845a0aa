"""govaudit: crawl government websites and audit them automatically."""
__version__ = "0.1.0"
