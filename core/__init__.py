"""Floor 0: what every layer needs — settings (config), the error root and the catalog's
error kinds (errors), and the reading of dates as Chinese pages print them (dates). Imports
nothing of ours; every other package may import it."""
