"""Floor 2 — gathering: Scrapy spiders, extractors (`extract/`), Playwright probes (`probes/`),
availability samples, DNS/TLS facts; everything that touches the network, written through
`storage`.

May import: `core`, `storage`, and the artifacts contract `checks.artifacts`. Never the checks'
judgements, the reports or the app (`govaudit`)."""
