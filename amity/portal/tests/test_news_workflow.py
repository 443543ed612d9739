import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from amity.core.exceptions import ConflictError
from amity.portal.choices import NewsState
from amity.portal.models import NewsArticle
from amity.portal.services import NewsRow, NewsStep, news_save, news_transition

from .factories import article, published, step

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def editor(users):
    return users["editor"]


def test_an_editor_writes_a_draft_of_their_province(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong)
    assert item.state == NewsState.DRAFT
    assert item.history.first().history_user == users["editor"]


def test_an_editor_may_not_write_another_provinces_news(users, son_la):
    with pytest.raises(ValidationError) as refused:
        article(users["editor"], owning_province=son_la)
    assert "owning_province" in refused.value.message_dict
    assert not NewsArticle.objects.exists()


def test_an_editor_may_not_write_the_national_portals_news(users):
    with pytest.raises(ValidationError):
        article(users["editor"], owning_province=None)


def test_a_central_officer_writes_and_publishes_the_national_portals_news(users):
    item = published(users["central"], users["central"], owning_province=None)
    assert item.state == NewsState.PUBLISHED
    assert item.published_by == users["central"]


def test_the_workflow_goes_draft_review_published_by_an_approver(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong)
    step(users["editor"], item, "submit")
    with pytest.raises(PermissionDenied):
        step(users["editor"], item, "publish")
    item = step(users["approver"], item, "publish")
    assert item.state == NewsState.PUBLISHED
    assert item.published_at is not None
    assert [h.state for h in item.history.order_by("history_date")] == ["draft", "review", "published"]


def test_an_approver_returns_an_article_to_its_writer(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong)
    step(users["editor"], item, "submit")
    assert step(users["approver"], item, "return").state == NewsState.DRAFT


def test_a_draft_cannot_be_published_without_review(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong)
    with pytest.raises(ValidationError) as refused:
        step(users["approver"], item, "publish")
    assert "state" in refused.value.message_dict


def test_a_published_article_is_not_changed_until_withdrawn(users, hai_phong):
    item = published(users["editor"], users["approver"], owning_province=hai_phong)
    with pytest.raises(ValidationError):
        news_save(user=users["editor"], rows=[NewsRow(data={"title_vi": "Sửa"}, pk=item.pk)])
    step(users["approver"], item, "withdraw")
    item.refresh_from_db()
    changed = news_save(user=users["editor"], rows=[NewsRow(data={"title_vi": "Sửa"}, pk=item.pk)])[0]
    assert changed.title_vi == "Sửa"
    assert changed.state == NewsState.DRAFT


def test_a_stale_version_is_a_conflict(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong)
    news_save(user=users["editor"], rows=[NewsRow(data={"title_vi": "Một"}, pk=item.pk, expected_version=1)])
    with pytest.raises(ConflictError):
        news_save(user=users["editor"], rows=[NewsRow(data={"title_vi": "Hai"}, pk=item.pk, expected_version=1)])


def test_submitting_needs_the_vietnamese_text(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong, body_vi="")
    with pytest.raises(ValidationError) as refused:
        news_transition(user=users["editor"], steps=[NewsStep(pk=item.pk, transition="submit")])
    assert "body_vi" in refused.value.message_dict


def test_an_image_needs_its_description_and_must_be_an_image(users, hai_phong):
    image = SimpleUploadedFile("photo.png", PNG, content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        article(users["editor"], owning_province=hai_phong, image=image)
    assert "image_alt_vi" in refused.value.message_dict
    fake = SimpleUploadedFile("photo.png", b"MZ not an image at all", content_type="image/png")
    with pytest.raises(ValidationError) as refused:
        article(users["editor"], owning_province=hai_phong, image=fake, image_alt_vi="Ảnh")
    assert "image" in refused.value.message_dict
    assert not NewsArticle.objects.exists()


def test_a_batch_with_one_bad_row_writes_nothing(users, hai_phong, son_la):
    rows = [
        NewsRow(data={"title_vi": "Tốt", "owning_province": hai_phong}),
        NewsRow(data={"title_vi": "Xấu\x07", "owning_province": hai_phong}),
    ]
    with pytest.raises(ValidationError):
        news_save(user=users["editor"], rows=rows)
    assert not NewsArticle.objects.exists()


def test_a_dry_run_writes_nothing(users, hai_phong):
    news_save(
        user=users["editor"], rows=[NewsRow(data={"title_vi": "Thử", "owning_province": hai_phong})], dry_run=True
    )
    assert not NewsArticle.objects.exists()


def test_a_missing_translation_shows_the_vietnamese_and_says_so(users, hai_phong):
    item = article(users["editor"], owning_province=hai_phong, title_en="Friendship news", body_en="Text.")
    assert item.in_language("en")["title"] == "Friendship news"
    assert item.in_language("en")["missing"] is False
    assert item.in_language("ar")["missing"] is True
    assert item.in_language("ar")["title"] == item.title_vi


def test_the_staff_pages_write_preview_and_publish(client, users, hai_phong):
    client.force_login(users["editor"])
    response = client.post(
        "/portal/news/new/",
        {"owning_province": hai_phong.pk, "category": "news", "title_vi": "Tin mới", "body_vi": "Nội dung."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = NewsArticle.objects.get()
    assert client.get("/portal/news/new/").status_code == 200
    assert client.get(f"/portal/news/{item.public_id}/edit/").status_code == 200
    page = client.get(item.get_absolute_url()).content.decode()
    assert f"/portal/news/{item.public_id}/preview/?lang=ar" in page
    assert 'value="submit"' in page and 'value="publish"' not in page  # an editor sends; an approver publishes
    assert "history-heading" in page
    assert "Tin mới" in client.get("/portal/news/").content.decode()
    preview = client.get(f"/portal/news/{item.public_id}/preview/?lang=ar")
    assert preview.status_code == 200
    assert 'dir="rtl"' in preview.content.decode()
    assert "noindex" in preview.content.decode()
    client.post(f"/portal/news/{item.public_id}/step/", {"step": "submit", "version": item.version})
    item.refresh_from_db()
    assert item.state == NewsState.REVIEW
    client.force_login(users["approver"])
    client.post(f"/portal/news/{item.public_id}/step/", {"step": "publish", "version": item.version})
    item.refresh_from_db()
    assert item.state == NewsState.PUBLISHED
    assert client.get(item.get_public_url()).status_code == 200
