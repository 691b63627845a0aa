"""Floor 0: what every layer needs — settings (config), the error root and the catalog's
error kinds (errors). Imports nothing of ours; every other package may import it."""
