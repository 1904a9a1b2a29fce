"""The translator registered in WAGTAILLOCALIZE_MACHINE_TRANSLATOR.

wagtail-localize shows its "Machine translate" button when a translator is
registered and can translate the pair. The button's URL is answered by
translation.views.machine_translate (it queues a job of ours, with the page
and the user); this class is what wagtail-localize itself would call, and it
goes through the same memory, budget and ledger.
"""

from wagtail.models import Locale
from wagtail_localize.machine_translators.base import BaseMachineTranslator
from wagtail_localize.strings import StringValue

from .backends import backend_get


class TsunaguMachineTranslator(BaseMachineTranslator):
    @property
    def display_name(self) -> str:  # type: ignore[override]
        return backend_get().display_name

    def can_translate(self, source_locale: Locale, target_locale: Locale) -> bool:
        return backend_get().can_translate(
            source_locale.language_code, target_locale.language_code
        )

    def translate(
        self, source_locale: Locale, target_locale: Locale, strings
    ) -> dict[StringValue, StringValue]:
        from .sending import strings_translate

        strings = list(strings)
        translated = strings_translate(
            texts=[string.data for string in strings],
            source_language=source_locale.language_code,
            target_language=target_locale.language_code,
            origin="editor",
        )
        return {
            string: StringValue(translated[string.data])
            for string in strings
            if string.data in translated
        }
