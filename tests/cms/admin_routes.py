"""Who may do what on every route of the admin: the route table.

Every URL pattern under ``/admin/`` and ``/django-admin/`` has a line below,
keyed by its URL name (``namespace:name``; the pattern itself when it has no
name). ``test_admin_routes`` walks them all as each role and checks the answer
against the rule named here; a route that is not listed fails that test until
someone classifies it.

Roles: ``admin`` (a superuser), ``hq`` (an HQ reviewer), ``lon`` and ``par``
(editors of the London and Paris offices), ``partner`` (a partner API key,
which is for the public API only) and ``anonymous``.

Routes that take a page are called with four pages, seen from the role:
``own`` (an article of the role's office in its working language: London's
English one, Paris's French one; HQ and the admin get London's), ``other``
(the other office's article), ``ja`` (the Japanese translation of ``own``,
reviewed and live, in review again) and ``other_ja`` (the Japanese translation
of ``other``). Other routes are called once (target ``-``), with a demo object
where they need one.

What a role may do, per rule:

==================  ===================  ==================  =================
rule                admin                hq                  lon / par
==================  ===================  ==================  =================
PUBLIC              yes (so do anonymous callers and partner keys)
SIGNED_IN           yes                  yes                 yes (lists filtered)
SUPERUSER           yes                  no                  no
HQ                  yes                  yes                 no
HQ_TAXONOMY         yes                  yes                 no (choosers: yes)
LONDON_ROW          yes                  yes                 lon only
PAGE_EDIT           every page           ja, other_ja        own, ja
PAGE_PUBLISH        every page           ja, other_ja        own
PAGE_UNLOCK         every page           no                  own
PAGE_REVIEW         ja, other_ja         ja, other_ja        no
PAGE_IN_REVIEW      ja, other_ja         ja, other_ja        ja
PAGE_SEE            every page           every page          every page
PAGE_TRANSLATE      every page           no                  no
TRANSLATION_EDIT    every page           every page          own, ja
NOT_FOUND           404 or refused (no demo row there, or nothing to show)
NOBODY              refused to every role as walked (see the rule's comment)
SHADOWED            never reached: a guard of ours answers at that URL
DELIBERATE_ERROR    Wagtail's error-page demo: 500 on purpose
DJANGO_ADMIN        yes                  login page          login page
==================  ===================  ==================  =================

PAGE_EDIT is writing drafts: in the Japanese tree they reach readers only
through the "Translation review" workflow. PAGE_PUBLISH is everything that
changes what readers see or the tree's shape without review (publish,
unpublish, delete, move, privacy, convert to alias, ...).

"yes" for a route without a page means the view answers (it may still list
only what the role may see: that is checked by the draft-title tests);
"no" means 403, or Wagtail's redirect to the dashboard with "permission
denied", or 404. Anonymous callers and partner keys get the login page on
every route but the PUBLIC ones.
"""

from dataclasses import dataclass

ROLES = ("admin", "hq", "lon", "par", "partner", "anonymous")
PAGE_TARGETS = ("own", "other", "ja", "other_ja")
EVERY = frozenset({*PAGE_TARGETS, "-"})
NONE: frozenset[str] = frozenset()

# Expected answers.
ALLOW = "allow"
DENY = "deny"
LOGIN = "login"
MISSING = "missing"


@dataclass(frozen=True)
class Rule:
    name: str
    admin: frozenset[str] = EVERY
    hq: frozenset[str] = NONE
    lon: frozenset[str] = NONE
    par: frozenset[str] = NONE
    public: bool = False  # anonymous callers and partner keys are let in
    refused_by_login: bool = False  # signed-in users without the right too
    missing: bool = False  # 404 for everyone signed in

    def expected(self, role: str, target: str) -> str:
        if self.public:
            return ALLOW
        if role in ("anonymous", "partner"):
            return LOGIN
        if self.missing:
            return MISSING
        if target in getattr(self, role):
            return ALLOW
        return LOGIN if self.refused_by_login and role != "admin" else DENY


def _editor(*targets: str) -> dict[str, frozenset[str]]:
    return {"lon": frozenset(targets), "par": frozenset(targets)}


PUBLIC = Rule("PUBLIC", public=True)
SIGNED_IN = Rule("SIGNED_IN", hq=EVERY, **_editor(*EVERY))
SUPERUSER = Rule("SUPERUSER")
HQ = Rule("HQ", hq=EVERY)
OFFICES = Rule("OFFICES", hq=EVERY, **_editor(*EVERY))
HQ_TAXONOMY = Rule("HQ_TAXONOMY", hq=EVERY)
PAGE_EDIT = Rule("PAGE_EDIT", hq=frozenset({"ja", "other_ja"}), **_editor("own", "ja"))
PAGE_PUBLISH = Rule("PAGE_PUBLISH", hq=frozenset({"ja", "other_ja"}), **_editor("own"))
PAGE_REVIEW = Rule(
    "PAGE_REVIEW",
    admin=frozenset({"ja", "other_ja"}),
    hq=frozenset({"ja", "other_ja"}),
)
PAGE_SEE = Rule("PAGE_SEE", hq=EVERY, **_editor(*EVERY))
PAGE_UNLOCK = Rule("PAGE_UNLOCK", **_editor("own"))
PAGE_IN_REVIEW = Rule(
    "PAGE_IN_REVIEW",
    admin=frozenset({"ja", "other_ja"}),
    hq=frozenset({"ja", "other_ja"}),
    **_editor("ja"),
)
PAGE_TRANSLATE = Rule("PAGE_TRANSLATE")
TRANSLATION_EDIT = Rule("TRANSLATION_EDIT", hq=EVERY, **_editor("own", "ja"))
# Rows that only London's editors (and HQ, and the admin) may touch.
LONDON_ROW = Rule("LONDON_ROW", hq=EVERY, lon=EVERY)
# Answers nobody as walked: the demo row is not in a state the action takes
# (the view's rights are tested beside the view), or Wagtail has nothing to
# show there (the snippet index, when every snippet sits in a menu group).
NOBODY = Rule("NOBODY", admin=NONE)
DJANGO_ADMIN_REFUSED = Rule("DJANGO_ADMIN_REFUSED", admin=NONE, refused_by_login=True)
# wagtail-localize routes whose URL a guard of ours takes first: never reached.
SHADOWED = Rule("SHADOWED")
NOT_FOUND = Rule("NOT_FOUND", missing=True)
DJANGO_ADMIN = Rule("DJANGO_ADMIN", refused_by_login=True)
# Wagtail's "failwhale" page raises on purpose, to show the error page.
DELIBERATE_ERROR = Rule("DELIBERATE_ERROR", hq=EVERY, **_editor(*EVERY))

# Patterns that share a URL name with another but answer differently.
PATTERN_RULES: dict[str, Rule] = {
    # Redirects to the one setting's own page (the name's other pattern).
    "admin/settings/<slug:app_name>/<slug:model_name>/": SIGNED_IN,
    # Preview modes of articles have no name; the default one is the other.
    "admin/localize/translate/<int:translation_id>/preview/<str:mode>/": NOT_FOUND,
}

ROUTES: dict[str, Rule] = {
    "admin:index": DJANGO_ADMIN,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "admin:password_change": DJANGO_ADMIN,
    "admin:password_change_done": DJANGO_ADMIN,
    "admin:autocomplete": DJANGO_ADMIN_REFUSED,
    "admin:jsi18n": DJANGO_ADMIN,
    "admin:view_on_site": DJANGO_ADMIN_REFUSED,
    "admin:wagtaildocs_document_changelist": DJANGO_ADMIN,
    "admin:wagtaildocs_document_add": DJANGO_ADMIN,
    "admin:wagtaildocs_document_history": DJANGO_ADMIN,
    "admin:wagtaildocs_document_delete": DJANGO_ADMIN,
    "admin:wagtaildocs_document_change": DJANGO_ADMIN,
    "django-admin/wagtaildocs/document/<path:object_id>/": DJANGO_ADMIN,
    "admin:wagtailimages_image_changelist": DJANGO_ADMIN,
    "admin:wagtailimages_image_add": DJANGO_ADMIN,
    "admin:wagtailimages_image_history": DJANGO_ADMIN,
    "admin:wagtailimages_image_delete": DJANGO_ADMIN,
    "admin:wagtailimages_image_change": DJANGO_ADMIN,
    "django-admin/wagtailimages/image/<path:object_id>/": DJANGO_ADMIN,
    "admin:taggit_tag_merge_tags": DJANGO_ADMIN,
    "admin:taggit_tag_changelist": DJANGO_ADMIN,
    "admin:taggit_tag_add": DJANGO_ADMIN,
    "admin:taggit_tag_history": DJANGO_ADMIN,
    "admin:taggit_tag_delete": DJANGO_ADMIN,
    "admin:taggit_tag_change": DJANGO_ADMIN,
    "django-admin/taggit/tag/<path:object_id>/": DJANGO_ADMIN,
    "admin:django_tasks_database_dbtaskresult_changelist": DJANGO_ADMIN,
    "admin:django_tasks_database_dbtaskresult_add": DJANGO_ADMIN_REFUSED,
    "admin:django_tasks_database_dbtaskresult_history": DJANGO_ADMIN,
    "admin:django_tasks_database_dbtaskresult_delete": DJANGO_ADMIN_REFUSED,
    "admin:django_tasks_database_dbtaskresult_change": DJANGO_ADMIN,
    "django-admin/django_tasks_database/dbtaskresult/<path:object_id>/": DJANGO_ADMIN,
    "admin:auth_group_changelist": DJANGO_ADMIN,
    "admin:auth_group_add": DJANGO_ADMIN,
    "admin:auth_group_history": DJANGO_ADMIN,
    "admin:auth_group_delete": DJANGO_ADMIN,
    "admin:auth_group_change": DJANGO_ADMIN,
    "django-admin/auth/group/<path:object_id>/": DJANGO_ADMIN,
    "admin:auth_user_password_change": DJANGO_ADMIN,
    "admin:auth_user_changelist": DJANGO_ADMIN,
    "admin:auth_user_add": DJANGO_ADMIN,
    "admin:auth_user_history": DJANGO_ADMIN,
    "admin:auth_user_delete": DJANGO_ADMIN,
    "admin:auth_user_change": DJANGO_ADMIN,
    "django-admin/auth/user/<path:object_id>/": DJANGO_ADMIN,
    "admin:app_list": DJANGO_ADMIN,
    "django-admin/(?P<url>.*)$": DJANGO_ADMIN_REFUSED,
    "translation_machine_translate": TRANSLATION_EDIT,
    "wagtailadmin_home": SIGNED_IN,
    "admin/test404/": SIGNED_IN,
    "wagtailadmin_api:pages:listing": SIGNED_IN,
    "wagtailadmin_api:pages:detail": PAGE_EDIT,
    "wagtailadmin_api:pages:find": NOT_FOUND,
    "wagtailadmin_api:pages:action": PAGE_PUBLISH,
    "wagtailadmin_api:documents:listing": SIGNED_IN,
    "wagtailadmin_api:documents:detail": SIGNED_IN,
    "wagtailadmin_api:documents:find": NOT_FOUND,
    "wagtailadmin_api:images:listing": SIGNED_IN,
    "wagtailadmin_api:images:detail": SIGNED_IN,
    "wagtailadmin_api:images:find": NOT_FOUND,
    "wagtailadmin_error_test": DELIBERATE_ERROR,
    "wagtailadmin_explore_root": SIGNED_IN,
    "wagtailadmin_explore": SIGNED_IN,
    "wagtailadmin_explore_results": SIGNED_IN,
    "wagtail_bulk_action": NOT_FOUND,
    "wagtailadmin_pages:add": PAGE_EDIT,
    "wagtailadmin_pages:preview_on_add": PAGE_EDIT,
    "wagtailadmin_pages:type_use": SIGNED_IN,
    "wagtailadmin_pages:choose_parent": SIGNED_IN,
    "wagtailadmin_pages:type_use_results": SIGNED_IN,
    "wagtailadmin_pages:usage": PAGE_EDIT,
    "wagtailadmin_pages:edit": PAGE_EDIT,
    "wagtailadmin_pages:preview_on_edit": PAGE_EDIT,
    "wagtailadmin_pages:view_draft": PAGE_EDIT,
    "wagtailadmin_pages:add_subpage": PAGE_EDIT,
    "wagtailadmin_pages:delete": PAGE_PUBLISH,
    "wagtailadmin_pages:unpublish": PAGE_PUBLISH,
    "wagtailadmin_pages:convert_alias": NOT_FOUND,
    "wagtailadmin_pages:search": SIGNED_IN,
    "wagtailadmin_pages:search_results": SIGNED_IN,
    "wagtailadmin_pages:move": PAGE_PUBLISH,
    "wagtailadmin_pages:move_confirm": PAGE_PUBLISH,
    "wagtailadmin_pages:set_page_position": PAGE_PUBLISH,
    "wagtailadmin_pages:copy": PAGE_EDIT,
    "wagtailadmin_pages:workflow_action": PAGE_REVIEW,
    "wagtailadmin_pages:collect_workflow_action_data": PAGE_REVIEW,
    # Says whether cancelling needs a confirmation; shows no title.
    "wagtailadmin_pages:confirm_workflow_cancellation": PAGE_SEE,
    "wagtailadmin_pages:workflow_preview": PAGE_REVIEW,
    "wagtailadmin_pages:set_privacy": PAGE_PUBLISH,
    "wagtailadmin_pages:lock": PAGE_PUBLISH,
    "wagtailadmin_pages:unlock": PAGE_UNLOCK,
    "wagtailadmin_pages:revisions_index": PAGE_SEE,
    "wagtailadmin_pages:revisions_view": PAGE_EDIT,
    "wagtailadmin_pages:revisions_revert": PAGE_EDIT,
    "wagtailadmin_pages:revisions_unschedule": PAGE_PUBLISH,
    "wagtailadmin_pages:revisions_compare": PAGE_EDIT,
    "wagtailadmin_pages:workflow_history": PAGE_EDIT,
    "wagtailadmin_pages:workflow_history_detail": PAGE_IN_REVIEW,
    "wagtailadmin_pages:history": PAGE_EDIT,
    "wagtailadmin_pages:history_results": PAGE_EDIT,
    "wagtailadmin_choose_page": SIGNED_IN,
    "wagtailadmin_choose_page_child": SIGNED_IN,
    "wagtailadmin_choose_page_search": SIGNED_IN,
    "wagtailadmin_choose_page_chosen_multiple": SIGNED_IN,
    "wagtailadmin_choose_page_external_link": SIGNED_IN,
    "wagtailadmin_choose_page_email_link": SIGNED_IN,
    "wagtailadmin_choose_page_phone_link": SIGNED_IN,
    "wagtailadmin_choose_page_anchor_link": SIGNED_IN,
    "wagtailadmin_tag_autocomplete": SIGNED_IN,
    "wagtailadmin_tag_model_autocomplete": SIGNED_IN,
    "wagtailadmin_collections:index": SUPERUSER,
    "wagtailadmin_collections:add": SUPERUSER,
    "wagtailadmin_collections:edit": SUPERUSER,
    "wagtailadmin_collections:delete": SUPERUSER,
    "wagtailadmin_collections:set_privacy": SUPERUSER,
    "wagtailadmin_workflows:index": SUPERUSER,
    "wagtailadmin_workflows:index_results": SUPERUSER,
    "wagtailadmin_workflows:add": SUPERUSER,
    "wagtailadmin_workflows:enable": SUPERUSER,
    "wagtailadmin_workflows:disable": SUPERUSER,
    "wagtailadmin_workflows:edit": SUPERUSER,
    "wagtailadmin_workflows:usage": SUPERUSER,
    "wagtailadmin_workflows:usage_results": SUPERUSER,
    "wagtailadmin_workflows:remove": SUPERUSER,
    "wagtailadmin_workflows:add_task": SUPERUSER,
    "wagtailadmin_workflows:select_task_type": SUPERUSER,
    "wagtailadmin_workflows:task_index": SUPERUSER,
    "wagtailadmin_workflows:task_index_results": SUPERUSER,
    "wagtailadmin_workflows:edit_task": SUPERUSER,
    "wagtailadmin_workflows:disable_task": SUPERUSER,
    "wagtailadmin_workflows:enable_task": SUPERUSER,
    "wagtailadmin_workflows:task_chooser": SIGNED_IN,
    "wagtailadmin_workflows:task_chooser_results": SIGNED_IN,
    "wagtailadmin_workflows:task_chooser_create": SIGNED_IN,
    "wagtailadmin_workflows:task_chosen": SIGNED_IN,
    "wagtailadmin_reports:locked_pages": SIGNED_IN,
    "wagtailadmin_reports:locked_pages_results": SIGNED_IN,
    "wagtailadmin_reports:workflow": SIGNED_IN,
    "wagtailadmin_reports:workflow_results": SIGNED_IN,
    "wagtailadmin_reports:workflow_tasks": SIGNED_IN,
    "wagtailadmin_reports:workflow_tasks_results": SIGNED_IN,
    "wagtailadmin_reports:site_history": SIGNED_IN,
    "wagtailadmin_reports:site_history_results": SIGNED_IN,
    "wagtailadmin_reports:aging_pages": SIGNED_IN,
    "wagtailadmin_reports:aging_pages_results": SIGNED_IN,
    "wagtailadmin_reports:page_types_usage": SHADOWED,
    "wagtailadmin_reports:page_types_usage_results": SHADOWED,
    "cms_page_types_usage": SIGNED_IN,
    "cms_redirects_process_import": SUPERUSER,
    "cms_system_status": SUPERUSER,
    "cms_page_types_usage_results": SIGNED_IN,
    "wagtailadmin_account": SIGNED_IN,
    "wagtailadmin_logout": SIGNED_IN,
    "wagtailadmin_dismissibles": SIGNED_IN,
    "wagtailadmin_editing_sessions:ping": NOT_FOUND,
    "wagtailadmin_editing_sessions:release": SIGNED_IN,
    "wagtailadmin_block_preview": NOT_FOUND,
    "scrapers_source_try": SIGNED_IN,
    "scrapers_source_import": SIGNED_IN,
    "scrapers_source_fetch": LONDON_ROW,
    "scrapers_triage": SIGNED_IN,
    "translation_review": SIGNED_IN,
    "translation_jobs": SIGNED_IN,
    "translation_job_retry": SUPERUSER,
    "translation_usage": SIGNED_IN,
    "translation_usage_csv": SIGNED_IN,
    "translation_guard_convert_to_alias": PAGE_REVIEW,
    "translation_guard_edit_string": TRANSLATION_EDIT,
    "translation_guard_edit_override": TRANSLATION_EDIT,
    "translation_guard_upload_pofile": TRANSLATION_EDIT,
    "translation_guard_submit_page": PAGE_TRANSLATE,
    "translation_guard_update_translations": PAGE_TRANSLATE,
    "translation_guard_translations_report": SIGNED_IN,
    "translation_guard_translations_report_results": SIGNED_IN,
    "translation_glossary_import": SIGNED_IN,
    "translation_glossary_export": SIGNED_IN,
    "translation_glossary_replace": HQ,
    "translation_glossary_restore": NOT_FOUND,
    "newsletter_subscriber_erase": NOBODY,
    "publishers_deliveries": SIGNED_IN,
    "publishers_delivery_retry": NOBODY,
    "publishers_delivery_skip": NOBODY,
    "publishers_digest_send": NOBODY,
    "wagtail_localize:javascript_catalog": SIGNED_IN,
    "wagtail_localize:submit_page_translation": SHADOWED,
    "wagtail_localize:submit_snippet_translation": NOT_FOUND,
    "wagtail_localize:update_translations": SHADOWED,
    "wagtail_localize:edit_string_translation": SHADOWED,
    "wagtail_localize:edit_override": SHADOWED,
    "wagtail_localize:download_pofile": TRANSLATION_EDIT,
    "wagtail_localize:upload_pofile": SHADOWED,
    "wagtail_localize:machine_translate": SHADOWED,
    "wagtail_localize:preview_translation": TRANSLATION_EDIT,
    "wagtail_localize:stop_translation": TRANSLATION_EDIT,
    "wagtail_localize:convert_to_alias": SHADOWED,
    "wagtail_localize:translations_report": SHADOWED,
    "wagtail_localize:snippets_api_listing": NOT_FOUND,
    "wagtail_localize:snippets_api_detail": NOT_FOUND,
    "wagtail_localize:translations_report_results": SHADOWED,
    "wagtailredirects:index": SUPERUSER,
    "wagtailredirects:index_results": SUPERUSER,
    "wagtailredirects:add": SUPERUSER,
    "wagtailredirects:edit": SUPERUSER,
    "wagtailredirects:delete": SUPERUSER,
    "wagtailredirects:start_import": SUPERUSER,
    "wagtailredirects:process_import": SHADOWED,
    "wagtailsettings:edit": SUPERUSER,
    "wagtailsettings:preview_on_edit": NOT_FOUND,
    "wagtailembeds:chooser": SIGNED_IN,
    "wagtailembeds:chooser_upload": SIGNED_IN,
    "wagtailsnippets:index": NOBODY,
    "wagtaildocs:index": SIGNED_IN,
    "wagtaildocs:index_results": SIGNED_IN,
    "wagtaildocs:add": SIGNED_IN,
    "wagtaildocs:edit": SUPERUSER,
    "wagtaildocs:delete": SUPERUSER,
    "wagtaildocs:add_multiple": SIGNED_IN,
    "wagtaildocs:edit_multiple": SUPERUSER,
    "wagtaildocs:create_multiple_from_uploaded_document": NOT_FOUND,
    "wagtaildocs:delete_multiple": SUPERUSER,
    "wagtaildocs:delete_upload_multiple": NOT_FOUND,
    "wagtaildocs:document_usage": SUPERUSER,
    "wagtailimages:index": SIGNED_IN,
    "wagtailimages:index_results": SIGNED_IN,
    "wagtailimages:edit": SUPERUSER,
    "wagtailimages:delete": SUPERUSER,
    "wagtailimages:url_generator": NOT_FOUND,
    "wagtailimages:url_generator_output": NOT_FOUND,
    "wagtailimages:preview": SUPERUSER,
    "wagtailimages:add": SIGNED_IN,
    "wagtailimages:image_usage": SUPERUSER,
    "wagtailimages:add_multiple": SIGNED_IN,
    "wagtailimages:edit_multiple": SUPERUSER,
    "wagtailimages:create_multiple_from_uploaded_image": NOT_FOUND,
    "wagtailimages:delete_multiple": SUPERUSER,
    "wagtailimages:delete_upload_multiple": NOT_FOUND,
    "wagtailsnippets_cms_office:list": SUPERUSER,
    "wagtailsnippets_cms_office:list_results": SUPERUSER,
    "wagtailsnippets_cms_office:add": SUPERUSER,
    "wagtailsnippets_cms_office:edit": SUPERUSER,
    "wagtailsnippets_cms_office:delete": SUPERUSER,
    "wagtailsnippets_cms_office:usage": SUPERUSER,
    "wagtailsnippets_cms_office:history": SUPERUSER,
    "wagtailsnippets_cms_office:history_results": SUPERUSER,
    "wagtailsnippets_cms_office:copy": SUPERUSER,
    "wagtailsnippetchoosers_cms_office:choose": SIGNED_IN,
    "wagtailsnippetchoosers_cms_office:choose_results": SIGNED_IN,
    "wagtailsnippetchoosers_cms_office:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_cms_office:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_cms_office:create": SUPERUSER,
    "wagtailsnippets_cms_region:list": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:list_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:add": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:edit": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:delete": SUPERUSER,
    "wagtailsnippets_cms_region:usage": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:history": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:history_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_region:copy": HQ_TAXONOMY,
    "wagtailsnippetchoosers_cms_region:choose": SIGNED_IN,
    "wagtailsnippetchoosers_cms_region:choose_results": SIGNED_IN,
    "wagtailsnippetchoosers_cms_region:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_cms_region:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_cms_region:create": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:list": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:list_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:add": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:edit": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:delete": SUPERUSER,
    "wagtailsnippets_cms_country:usage": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:history": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:history_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_country:copy": HQ_TAXONOMY,
    "wagtailsnippetchoosers_cms_country:choose": SIGNED_IN,
    "wagtailsnippetchoosers_cms_country:choose_results": SIGNED_IN,
    "wagtailsnippetchoosers_cms_country:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_cms_country:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_cms_country:create": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:list": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:list_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:add": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:edit": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:delete": SUPERUSER,
    "wagtailsnippets_cms_topic:usage": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:history": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:history_results": HQ_TAXONOMY,
    "wagtailsnippets_cms_topic:copy": HQ_TAXONOMY,
    "wagtailsnippetchoosers_cms_topic:choose": SIGNED_IN,
    "wagtailsnippetchoosers_cms_topic:choose_results": SIGNED_IN,
    "wagtailsnippetchoosers_cms_topic:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_cms_topic:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_cms_topic:create": HQ_TAXONOMY,
    "wagtailsnippets_scrapers_source:list": SIGNED_IN,
    "wagtailsnippets_scrapers_source:list_results": SIGNED_IN,
    "wagtailsnippets_scrapers_source:add": SIGNED_IN,
    "wagtailsnippets_scrapers_source:edit": LONDON_ROW,
    "wagtailsnippets_scrapers_source:delete": LONDON_ROW,
    "wagtailsnippets_scrapers_source:usage": LONDON_ROW,
    "wagtailsnippets_scrapers_source:history": LONDON_ROW,
    "wagtailsnippets_scrapers_source:history_results": LONDON_ROW,
    "wagtailsnippets_scrapers_source:copy": LONDON_ROW,
    "wagtailsnippetchoosers_scrapers_source:choose": SIGNED_IN,
    "wagtailsnippetchoosers_scrapers_source:choose_results": SIGNED_IN,
    # Wagtail's chooser: any source by id (name and URL only).
    "wagtailsnippetchoosers_scrapers_source:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_scrapers_source:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_scrapers_source:create": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:list": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:list_results": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:add": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:edit": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:delete": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:usage": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:history": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:history_results": SIGNED_IN,
    "wagtailsnippets_translation_glossaryterm:copy": SIGNED_IN,
    "wagtailsnippetchoosers_translation_glossaryterm:choose": SIGNED_IN,
    "wagtailsnippetchoosers_translation_glossaryterm:choose_results": SIGNED_IN,
    "wagtailsnippetchoosers_translation_glossaryterm:chosen": SIGNED_IN,
    "wagtailsnippetchoosers_translation_glossaryterm:chosen_multiple": SIGNED_IN,
    "wagtailsnippetchoosers_translation_glossaryterm:create": SIGNED_IN,
    "partner_keys:index": HQ,
    "partner_keys:index_results": HQ,
    "partner_keys:add": HQ,
    "partner_keys:edit": HQ,
    "partner_keys:delete": HQ,
    "partner_keys:history": HQ,
    "partner_keys:history_results": HQ,
    "partner_keys:usage": HQ,
    "partner_keys:copy": HQ,
    "partner_webhooks:index": HQ,
    "partner_webhooks:index_results": HQ,
    "partner_webhooks:add": HQ,
    "partner_webhooks:edit": HQ,
    "partner_webhooks:delete": HQ,
    "partner_webhooks:history": HQ,
    "partner_webhooks:history_results": HQ,
    "partner_webhooks:usage": HQ,
    "partner_webhooks:copy": HQ,
    "channel_defaults:index": HQ,
    "channel_defaults:index_results": HQ,
    "channel_defaults:add": HQ,
    "channel_defaults:edit": HQ,
    "channel_defaults:delete": HQ,
    "channel_defaults:history": HQ,
    "channel_defaults:history_results": HQ,
    "channel_defaults:usage": HQ,
    "channel_defaults:copy": HQ,
    "newsletter_subscribers:index": HQ,
    "newsletter_subscribers:index_results": HQ,
    "newsletter_subscribers:add": NOBODY,
    "newsletter_subscribers:edit": NOBODY,
    "newsletter_subscribers:delete": NOT_FOUND,
    "newsletter_subscribers:history": NOT_FOUND,
    "newsletter_subscribers:history_results": NOT_FOUND,
    "newsletter_subscribers:usage": NOT_FOUND,
    "newsletter_subscribers:inspect": NOT_FOUND,
    "wagtaillocales:index": SUPERUSER,
    "wagtaillocales:index_results": SUPERUSER,
    "wagtaillocales:add": SUPERUSER,
    "wagtaillocales:edit": SUPERUSER,
    "wagtaillocales:delete": SUPERUSER,
    "wagtaillocales:history": SUPERUSER,
    "wagtaillocales:history_results": SUPERUSER,
    "wagtaillocales:usage": SUPERUSER,
    "wagtaillocales:copy": SUPERUSER,
    "wagtailsites:index": SUPERUSER,
    "wagtailsites:index_results": SUPERUSER,
    "wagtailsites:add": SUPERUSER,
    "wagtailsites:edit": SUPERUSER,
    "wagtailsites:delete": SUPERUSER,
    "wagtailsites:history": SUPERUSER,
    "wagtailsites:history_results": SUPERUSER,
    "wagtailsites:usage": SUPERUSER,
    "wagtailsites:copy": SUPERUSER,
    "wagtailusers_users:index": SUPERUSER,
    "wagtailusers_users:index_results": SUPERUSER,
    "wagtailusers_users:add": SUPERUSER,
    "wagtailusers_users:edit": SUPERUSER,
    "wagtailusers_users:delete": SUPERUSER,
    "wagtailusers_users:history": SUPERUSER,
    "wagtailusers_users:history_results": SUPERUSER,
    "wagtailusers_users:usage": SUPERUSER,
    "wagtailusers_users:copy": SUPERUSER,
    "wagtailusers_groups:index": SUPERUSER,
    "wagtailusers_groups:index_results": SUPERUSER,
    "wagtailusers_groups:add": SUPERUSER,
    "wagtailusers_groups:edit": SUPERUSER,
    "wagtailusers_groups:delete": SUPERUSER,
    "wagtailusers_groups:history": SUPERUSER,
    "wagtailusers_groups:history_results": SUPERUSER,
    "wagtailusers_groups:usage": SUPERUSER,
    "wagtaildocs_chooser:choose": SIGNED_IN,
    "wagtaildocs_chooser:choose_results": SIGNED_IN,
    "wagtaildocs_chooser:chosen": SIGNED_IN,
    "wagtaildocs_chooser:chosen_multiple": SIGNED_IN,
    "wagtaildocs_chooser:create": SIGNED_IN,
    "wagtailimages_chooser:choose": SIGNED_IN,
    "wagtailimages_chooser:choose_results": SIGNED_IN,
    "wagtailimages_chooser:chosen": SIGNED_IN,
    "wagtailimages_chooser:chosen_multiple": SIGNED_IN,
    "wagtailimages_chooser:create": SIGNED_IN,
    "wagtailimages_chooser:select_format": SIGNED_IN,
    "wagtailadmin_sprite": PUBLIC,
    "wagtailadmin_login": PUBLIC,
    "wagtailadmin_password_reset": PUBLIC,
    "wagtailadmin_password_reset_done": PUBLIC,
    "wagtailadmin_password_reset_confirm": PUBLIC,
    "wagtailadmin_password_reset_complete": PUBLIC,
    "wagtailadmin_javascript_catalog": PUBLIC,
    "admin/^.*/$": NOT_FOUND,
}


def as_markdown() -> str:
    """The table as a page for people: ``python -m tests.cms.admin_routes``."""
    header = "| route | rule | " + " | ".join(ROLES) + " |"
    lines = [
        "# Who may do what on every admin route",
        "",
        "Generated from `tests/cms/admin_routes.py` (the rules are explained "
        "there); `tests/cms/test_admin_routes.py` walks every route as every "
        "role and checks it. A page route lists the pages a role may use it "
        "with (own, other, ja, other_ja); `-` means the route takes no page.",
        "",
        header,
        "|" + "---|" * (len(ROLES) + 2),
    ]
    for name, rule in ROUTES.items():
        cells = []
        for role in ROLES:
            allowed = [
                target
                for target in (*PAGE_TARGETS, "-")
                if rule.expected(role, target) == ALLOW
            ]
            if not allowed:
                cells.append(rule.expected(role, "-").replace(DENY, "no"))
            elif len(allowed) == len(PAGE_TARGETS) + 1:
                cells.append("yes")
            else:
                cells.append(", ".join(t for t in allowed if t != "-"))
        lines.append(f"| `{name}` | {rule.name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(as_markdown(), end="")
