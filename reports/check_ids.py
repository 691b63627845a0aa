"""The check ids of the v1 catalog (docs/checks.md). A framework may name
any of these even before its check is implemented (the finding is then simply
missing), or any check registered in checks/ (a user's own check)."""
from __future__ import annotations

CATALOG_V1 = frozenset("""
avail.homepage avail.uptime links.dead_homepage links.dead_site links.attachments
update.homepage update.stale_columns update.blank_columns update.policy_interpretation
identity.site_code identity.icp identity.psb identity.party_gov_badge identity.sponsor_contact
identity.meta_tags identity.gov_domain
interact.channel interact.unanswered_3m interact.reply_recency service.entry
service.guide_elements disclosure.columns
search.present search.recall search.typo_tolerance search.latency search.service_cards
qa.present qa.answers
elder.entry elder.font_scaling elder.contrast elder.tools elder.no_ads a11y.axe a11y.img_alt
a11y.html_lang
privacy.policy_link privacy.policy_content privacy.registration_notice privacy.pii_exposure
security.https security.ipv6 security.mixed_content security.headers
content.wording_errors content.typos content.sensitive_words content.external_links
mobile.responsive mobile.new_media perf.homepage_load
opendata.dataset_count opendata.api_count opendata.app_count opendata.machine_readable
opendata.metadata_complete opendata.downloadable opendata.freshness opendata.security_policy
opendata.feedback
hotline.reply_rate hotline.ontime_rate hotline.median_reply_days hotline.follow_up
hotline.knowledge_base hotline.proactive hotline.satisfaction hotline.stats_public
""".split())


def known_check_ids() -> set[str]:
    """Catalog ids plus every check registered in this installation."""
    from checks.catalog import all_checks
    return set(CATALOG_V1) | set(all_checks())
