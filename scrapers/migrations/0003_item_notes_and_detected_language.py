from django.db import migrations, models


def notes_from_note(apps, schema_editor):
    """An old free-text note becomes one note of code "text"."""
    Item = apps.get_model("scrapers", "Item")
    for item in Item.objects.exclude(note="").only("pk", "note").iterator():
        Item.objects.filter(pk=item.pk).update(
            notes=[{"code": "text", "params": {"text": item.note}}]
        )


def note_from_notes(apps, schema_editor):
    Item = apps.get_model("scrapers", "Item")
    for item in Item.objects.exclude(notes=[]).only("pk", "notes").iterator():
        texts = [
            "; ".join(str(v) for v in (n.get("params") or {}).values()) or n["code"]
            for n in item.notes
        ]
        Item.objects.filter(pk=item.pk).update(note="\n".join(texts))


class Migration(migrations.Migration):
    dependencies = [
        ("scrapers", "0002_source_claim_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="item",
            name="notes",
            field=models.JSONField(
                blank=True, default=list, editable=False, verbose_name="notes"
            ),
        ),
        migrations.RunPython(notes_from_note, note_from_notes),
        migrations.RemoveField(
            model_name="item",
            name="note",
        ),
        migrations.AddField(
            model_name="item",
            name="detected_language",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=16,
                verbose_name="detected language",
            ),
        ),
    ]
