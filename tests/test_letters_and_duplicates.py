"""Reply letters are judged by content; duplicates by character n-gram similarity."""

import io
import zipfile

import pytest
from PIL import Image

from inspect_app.problems.duplicates import similarity
from inspect_app.problems.letters import LetterError, check_letter, letter_path, store_letter

LIMIT = 1024 * 1024


def docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    Image.new("RGB", (800, 600), (10, 20, 30)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_letters_accepted_by_content():
    assert check_letter(b"%PDF-1.7 ...", LIMIT).extension == "pdf"
    assert check_letter(docx(), LIMIT).extension == "docx"
    assert check_letter(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, LIMIT).extension == "doc"
    photo = check_letter(jpeg_with_exif(), LIMIT)
    assert photo.content_type == "image/jpeg" and b"PhoneMaker" not in photo.data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"%PDF-" + b"x" * LIMIT, "too_large"),
        (b"MZ\x90\x00 an executable", "not_allowed"),
        (b"PK\x03\x04 not really a zip", "not_allowed"),
        (b"<html><script>alert(1)</script>", "not_allowed"),
    ],
)
def test_other_files_are_refused(data, code):
    with pytest.raises(LetterError) as refused:
        check_letter(data, LIMIT)
    assert refused.value.code == code


def test_letters_are_stored_atomically(tmp_path):
    store_letter(b"%PDF-1.4", tmp_path, "abcdef")
    assert letter_path(tmp_path, "abcdef").read_bytes() == b"%PDF-1.4"
    assert [p.name for p in letter_path(tmp_path, "abcdef").parent.iterdir()] == ["abcdef"]


def test_similar_chinese_text_scores_high_and_unrelated_low():
    a = "二期用地尚未完成征拆，影响厂房按期开工。"
    b = "二期用地征拆尚未完成，影响厂房按期开工建设。"
    c = "企业反映高层次人才子女入学政策落实不到位。"
    assert similarity(a, b) > 0.6
    assert similarity(a, c) < 0.2
    assert similarity(a, "") == 0.0
