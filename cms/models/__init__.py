from .pages import ArticlePage, HomePage, NewsIndexPage, OfficePage
from .partners import PartnerKey, PartnerKeyDailyUse
from .runtime import ScheduledJob, SchedulerLease, WorkerHeartbeat
from .taxonomy import Country, Office, Region, Topic

__all__ = [
    "ArticlePage",
    "Country",
    "HomePage",
    "NewsIndexPage",
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
