"""How reference data appears in the partner API: codes and both names, not ids."""

from rest_framework import serializers

from .models.taxonomy import Country, Office, Topic


class OfficeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Office
        fields = ["code", "name_ja", "name_en", "city_en", "time_zone"]


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name_ja", "name_en"]


class CountrySerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Country
        fields = ["code", "name_ja", "name_en", "region"]
