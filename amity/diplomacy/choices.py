"""The codes of people's diplomacy, each named in Vietnamese, English and Arabic (the .po files)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    MERGED = "merged", _("Merged into another union")


class UnitKind(models.TextChoices):
    """The units a union leads: its office, its centre and its member friendship associations."""

    OFFICE = "office", _("Office")
    CENTRE = "centre", _("Centre for Cooperation and Friendship")
    ASSOCIATION = "association", _("Member friendship association")


class UnitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DISSOLVED = "dissolved", _("Dissolved")


class LocalityLevel(models.TextChoices):
    PROVINCE = "province", _("Province or state")
    DEPARTMENT = "department", _("Department")
    CITY = "city", _("City")
    REGION = "region", _("Region")
    OTHER = "other", _("Other")


class PartnershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DORMANT = "dormant", _("Dormant")
    ENDED = "ended", _("Ended")


class EventType(models.TextChoices):
    COMMEMORATION = "commemoration", _("Commemoration")
    FRIENDSHIP_MEETING = "friendship_meeting", _("Friendship meeting")
    TET_VISIT = "tet_visit", _("Holiday and Tet visit")
    YOUTH_EXCHANGE = "youth_exchange", _("Youth exchange (culture, language, community)")
    THEMATIC_DISCUSSION = "thematic_discussion", _("Discussion on the international situation and foreign policy")
    STAFF_TRAINING = "staff_training", _("Training of staff")
    CULTURAL_EXCHANGE = "cultural_exchange", _("Cultural exchange")
    CHARITY = "charity", _("Charity and relief")
    RECEPTION = "reception", _("Reception of partners")
    CONFERENCE = "conference", _("Conference")


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")


class Direction(models.TextChoices):
    INCOMING = "incoming", _("Incoming")
    OUTGOING = "outgoing", _("Outgoing")


class PersonKind(models.TextChoices):
    VISITOR = "visitor", _("International visitor")
    VOLUNTEER = "volunteer", _("International volunteer")


class PersonStatus(models.TextChoices):
    PLANNED = "planned", _("Expected")
    PRESENT = "present", _("In the province")
    LEFT = "left", _("Left")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")


class MemberRole(models.TextChoices):
    """A member's place in a friendship association."""

    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY = "secretary", _("General secretary")
    COMMITTEE = "committee", _("Executive committee member")
    MEMBER = "member", _("Member")
