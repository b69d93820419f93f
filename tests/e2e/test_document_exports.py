"""A secretary and a staff member download the 周报 and the 交办单 from a phone."""

import io

from docx import Document
from test_phone_flow import check_phone_layout, log_in


def test_secretary_types_next_weeks_plan_and_downloads_the_weekly(
    phone, live_server, queue_worker, tmp_path
):
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, "demo-secretary")
    phone.goto("/ledger/weekly")
    check_phone_layout(phone)
    phone.fill("#date_from", "2025-06-30")
    phone.fill("#date_to", "2025-06-01")
    phone.fill("#plan", "下周视察石龙镇两个项目，=1+1 照写。")
    phone.click("#word")
    phone.wait_for_selector("text=结束日期不能早于开始日期。")  # bad input: said, nothing lost
    assert phone.input_value("#plan") == "下周视察石龙镇两个项目，=1+1 照写。"
    phone.fill("#date_to", "2025-07-06")
    with phone.expect_download(timeout=60_000) as download:  # the job page fetches it when done
        phone.click("#word")
    path = tmp_path / "weekly.docx"
    download.value.save_as(path)
    assert download.value.suggested_filename.endswith(".docx")
    texts = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    assert "下周视察石龙镇两个项目，=1+1 照写。" in texts
    phone.goto("/ledger/weekly?date_from=2025-06-30&date_to=2025-07-06")
    assert phone.input_value("#plan") == "下周视察石龙镇两个项目，=1+1 照写。"  # kept


def test_staff_picks_a_batch_and_downloads_a_handover_letter(
    phone, live_server, queue_worker, tmp_path
):
    phone.set_viewport_size({"width": 360, "height": 740})
    log_in(phone, "demo-staff")
    phone.goto("/ledger/handover/")
    check_phone_layout(phone)
    phone.fill("#assigned_from", "2000-01-01")
    phone.fill("#assigned_to", "2099-12-31")
    phone.fill("#number", "12")
    phone.click("text=选出这批问题")
    phone.wait_for_selector("text=市住房和城乡建设局")
    check_phone_layout(phone)
    with phone.expect_download(timeout=60_000) as download:  # the job page fetches it when done
        phone.locator("li", has_text="市住房和城乡建设局").locator("text=交办函 Word").click()
    path = tmp_path / "letter.docx"
    download.value.save_as(path)
    texts = [p.text for p in Document(io.BytesIO(path.read_bytes())).paragraphs]
    assert "市住房和城乡建设局：" in texts
