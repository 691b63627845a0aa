"""Floor 0: what every layer needs — settings (config), the error root and the catalog's
error kinds (errors), URLs in the one form every row is keyed by (urls: links resolved as
a browser resolves them, entry URLs in the registry's spelling), the reading of dates as Chinese
pages print them (dates) and the content rule lists (content_rules). Imports nothing of ours;
every other package may import it."""
