"""Floor 2 — judging rounds as a whole: frameworks, scoring, ranking, round changes, the HTML
report, XLSX/CSV findings exports, 整改通知.

May import: `core`, `storage`, and `checks` for check metadata (titles, areas, advice). Never the
crawl or the app (`govaudit`)."""
