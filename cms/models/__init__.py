from .digest import DigestIssuePage, NewsletterIndexPage
from .pages import ArticlePage, HomePage, NewsIndexPage, OfficePage
from .partners import PartnerKey, PartnerKeyDailyUse
from .runtime import ScheduledJob, SchedulerLease, WorkerHeartbeat
from .taxonomy import Country, Office, Region, Topic

__all__ = [
    "ArticlePage",
    "Country",
    "DigestIssuePage",
    "HomePage",
    "NewsIndexPage",
    "NewsletterIndexPage",
    "Office",
    "OfficePage",
    "PartnerKey",
    "PartnerKeyDailyUse",
    "Region",
    "ScheduledJob",
    "SchedulerLease",
    "Topic",
    "WorkerHeartbeat",
]
