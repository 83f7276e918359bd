"""The admin console in a real headless Chromium, through the gateway of a whole running system: sign-in,
refusals (non-admin, forged forms), the user actions and their effect on the API, Vedic cache resets, the
audit log; leads and reports once the phone-OTP and moderation domains are in the tree."""
from __future__ import annotations

import asyncio
import os
import tempfile
import urllib.parse
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from devstack.processes import poll
from devstack.stack import REPO

from .browser import Screenshots, chromium, text, unlabelled_controls
from .helpers import register

pytestmark = pytest.mark.e2e
PASSWORD = "long-enough-pw"


@pytest.fixture(scope="module")
def api(stack):
    with httpx.Client(base_url=stack.gateway_url, timeout=15) as client:
        yield client


@pytest.fixture(scope="module")
def admin(stack, api) -> dict:
    """An account made admin in the database, as `make admin` does."""
    email = f"root-{uuid.uuid4().hex[:8]}@example.com"
    reply = api.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD})
    assert reply.status_code == 201, reply.text

    async def promote() -> None:
        connection = await asyncpg.connect(stack.postgres.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            await connection.execute("UPDATE identity.users SET is_admin = true WHERE email = $1", email)
        finally:
            await connection.close()

    asyncio.run(promote())
    return {"email": email, "id": reply.json()["user"]["id"]}


@pytest.fixture(scope="module")
def browser():
    driver = chromium()
    driver.implicitly_wait(0)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(browser) -> Screenshots:
    folder = REPO / "docs/admin" if os.environ.get("NUMEROS_SCREENSHOTS") == "docs" else Path(
        tempfile.mkdtemp(prefix="numeros-console-shots-"))
    return Screenshots(browser, folder)


class Console:
    def __init__(self, driver, base: str) -> None:
        self.driver, self.base = driver, base
        self.wait = WebDriverWait(driver, 15)

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def sign_in(self, email: str, password: str = PASSWORD) -> None:
        self.open("/admin/login")
        self.driver.find_element(By.ID, "email").send_keys(email)
        self.driver.find_element(By.ID, "password").send_keys(password, Keys.ENTER)  # the keyboard alone
        self.wait.until(lambda d: "/admin/login" not in d.current_url or d.find_elements(By.ID, "signin-error"))

    def click(self, css: str) -> None:
        """Click and wait for the next page (the old one gone), not just any page."""
        self.driver.execute_script("window.numerosOldPage = true")
        self.driver.find_element(By.CSS_SELECTOR, css).click()
        # A marker on the old window, not staleness_of: Chromium can answer a mid-navigation element query
        # with "Node ... does not belong to the document", which staleness_of does not expect.
        WebDriverWait(self.driver, 15, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return document.readyState === 'complete' && !window.numerosOldPage"))
        self.wait.until(seen.presence_of_element_located((By.CSS_SELECTOR, "main")))

    def flash(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, ".flash").text

    def path(self) -> str:
        return urllib.parse.urlsplit(self.driver.current_url).path


@pytest.fixture(scope="module")
def console(browser, stack) -> Console:
    return Console(browser, stack.gateway_url)


@pytest.fixture(scope="module")
def signed_in(console, admin) -> Console:
    console.driver.delete_all_cookies()
    console.sign_in(admin["email"])
    return console


def test_sign_in_page_refuses_a_person_without_the_admin_role(console, api, shots) -> None:
    person = register(api, "Plain", "1991-03-04")
    console.driver.delete_all_cookies()
    console.open("/admin/")  # no session: to the sign-in page
    assert console.path() == "/admin/login"
    assert unlabelled_controls(console.driver) == []
    shots.take("signin")
    console.sign_in(person["user"]["email"])
    assert console.path() == "/admin/login"
    assert "not an admin" in text(console.driver, "#signin-error")
    console.open("/admin/users")
    assert console.path() == "/admin/login"


def test_an_admin_signs_in_and_sees_the_overview(signed_in, admin, shots) -> None:
    driver = signed_in.driver
    assert signed_in.path() == "/admin/"
    cookie = driver.get_cookie("numeros_admin")
    assert cookie["httpOnly"] is True and cookie["secure"] is True and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/admin"
    assert driver.execute_script("return document.cookie") == ""  # no script can read the session
    assert admin["email"] in text(driver, ".who")
    assert int(text(driver, '[data-stat="registered-total"]')) >= 2
    # matching's and chat's own /system/activity answered (their totals, their consumers' dead letters)
    assert text(driver, '[data-stat="matches-total"]').isdigit()
    assert text(driver, '[data-stat="messages-total"]').isdigit()
    assert text(driver, '[data-dead-letters="chat-push"]') == "chat-push: 0"
    assert "Readiness: ready" in text(driver, "#ready-h")
    assert unlabelled_controls(driver) == []
    shots.take("overview")
    shots.take("overview-phone", (390, 844))


def test_the_keyboard_reaches_the_skip_link_and_the_navigation(signed_in) -> None:
    driver = signed_in.driver
    signed_in.open("/admin/")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Skip to content"
    driver.switch_to.active_element.send_keys(Keys.TAB)
    assert driver.switch_to.active_element.text == "Overview"


def test_users_search_premium_deactivation_ends_their_tokens(signed_in, api, shots) -> None:
    driver = signed_in.driver
    person = register(api, "Zelda", "1993-08-09")
    bearer = {"Authorization": f"Bearer {person['token']}"}
    assert api.get("/api/v1/auth/me", headers=bearer).status_code == 200
    signed_in.open("/admin/users")
    driver.find_element(By.ID, "q").send_keys(person["user"]["email"].split("@")[0].upper(), Keys.ENTER)
    signed_in.wait.until(lambda d: "q=" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert len(rows) == 1 and person["user"]["email"] in rows[0].text
    shots.take("users")
    rows[0].find_element(By.TAG_NAME, "a").click()
    signed_in.wait.until(lambda d: d.current_url.endswith(f"/admin/users/{person['user']['id']}"))
    assert unlabelled_controls(driver) == []

    signed_in.click("form[action$='/premium'] button")
    assert signed_in.flash() == f"User {person['user']['id']}: premium granted."
    assert text(driver, '[data-field="tier"]') == "premium"

    signed_in.click("form[action$='/active'] button")
    assert "deactivated; their sessions are ended" in signed_in.flash()
    assert text(driver, '[data-field="status"]') == "deactivated"
    assert text(driver, "[data-session-state]").startswith("revoked")
    shots.take("user")
    me = api.get("/api/v1/auth/me", headers=bearer)
    assert me.status_code == 401 and me.json()["error"]["code"] == "SESSION_REVOKED"

    signed_in.click("form[action$='/active'] button")  # now "Reactivate"
    assert text(driver, '[data-field="status"]') == "active"


def test_a_forged_form_post_is_refused(signed_in, api, stack, shots) -> None:
    driver = signed_in.driver
    person = register(api, "Target", "1989-01-02")
    bearer = {"Authorization": f"Bearer {person['token']}"}
    signed_in.open(f"/admin/users/{person['user']['id']}")
    # The console's own form without its CSRF token (a page that posts with the admin's cookie but cannot
    # read the token).
    driver.execute_script("document.querySelectorAll('input[name=csrf_token]').forEach(e => e.remove())")
    signed_in.click("form[action$='/active'] button")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Refused"
    assert "CSRF token is missing or wrong" in text(driver, "main")
    shots.take("refused")
    # Another site's page posting to the console: SameSite=Strict keeps the cookie off, so it meets the
    # sign-in page, and nothing changes.
    action = f"{stack.gateway_url}/admin/users/{person['user']['id']}/active"
    driver.get("data:text/html," + urllib.parse.quote(
        f"<form method=post action='{action}'><input name=value value=off></form>"
        "<script>document.forms[0].submit()</script>"))
    signed_in.wait.until(lambda d: d.current_url.startswith(stack.gateway_url))
    assert signed_in.path() == "/admin/login"
    assert api.get("/api/v1/auth/me", headers=bearer).status_code == 200
    signed_in.open(f"/admin/users/{person['user']['id']}")  # still signed in: the refusals ended nothing
    assert text(driver, '[data-field="status"]') == "active"


def test_vedic_cache_reset_for_one_profile_and_for_all(signed_in, api, shots) -> None:
    driver = signed_in.driver
    owner = register(api, "Vera", "1990-05-15")
    bearer = {"Authorization": f"Bearer {owner['token']}"}
    profile = api.post("/api/v1/astro/profiles", headers=bearer, json={
        "name": "Vera", "gender": "female", "dob": "1990-05-15", "tob": "14:30", "tz": "America/New_York",
        "place": "New York", "lat": 40.7128, "lon": -74.006})
    assert profile.status_code == 201, profile.text
    profile_id = profile.json()["id"]
    computed = api.post("/api/v1/astro/compute", headers=bearer, json={"profile_id": profile_id, "as_of": "2024-06-01"})
    assert computed.status_code in (200, 201), computed.text

    signed_in.open("/admin/cache")
    assert unlabelled_controls(driver) == []
    driver.find_element(By.ID, "profile_id").send_keys(str(profile_id))
    signed_in.click("form.filters button")
    assert signed_in.flash() == (f"Vedic cache cleared for profile {profile_id}: 1 cached entries removed, "
                                 "1 snapshots invalidated.")
    shots.take("cache")
    signed_in.click("button.danger")
    assert signed_in.flash().startswith("Vedic cache cleared for every profile:")
    driver.find_element(By.ID, "profile_id").send_keys("999999999")
    signed_in.click("form.filters button")
    assert "Profile 999999999" in signed_in.flash()


def test_the_audit_log_shows_every_action(signed_in, admin, shots) -> None:
    driver = signed_in.driver
    signed_in.open("/admin/audit")
    actions = [row.get_attribute("data-audit") for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-audit]")]
    for action in ("sign_in", "premium.granted", "user.deactivated", "user.reactivated", "cache.reset_profile",
                   "cache.reset_all"):
        assert action in actions
    assert actions.count("user.deactivated") == 1  # the forged posts left no trace: they did nothing
    assert all(admin["email"] in row.text for row in driver.find_elements(By.CSS_SELECTOR, "tr[data-audit]"))
    shots.take("audit")


def test_a_lead_from_the_loopin_signup_is_verified_by_hand(signed_in, api, shots) -> None:
    driver = signed_in.driver
    number = f"+9198{uuid.uuid4().int % 10**8:08d}"
    sent = api.post("/api/v1/auth/signup", json={"phone_number": number})
    assert sent.status_code == 200, sent.text
    signed_in.open("/admin/leads?verified=no")
    row = driver.find_element(By.XPATH, f"//tr[td[text()='{number}']]")
    assert row.find_element(By.CSS_SELECTOR, '[data-field="verified"]').text == "no"
    assert row.find_element(By.CSS_SELECTOR, '[data-field="codes-sent"]').text == "1"
    assert unlabelled_controls(driver) == []
    shots.take("leads")
    lead_id = row.get_attribute("data-lead")
    signed_in.click(f'tr[data-lead="{lead_id}"] button')
    assert signed_in.flash() == f"Lead {lead_id} verified: they are now a user."
    signed_in.open("/admin/leads?verified=yes")
    row = driver.find_element(By.CSS_SELECTOR, f'tr[data-lead="{lead_id}"]')
    assert row.find_element(By.CSS_SELECTOR, '[data-field="verified"]').text == "yes"
    csv = api.get("/admin/leads.csv", params={"verified": "yes"},
                  cookies={"numeros_admin": driver.get_cookie("numeros_admin")["value"]})
    assert csv.status_code == 200 and number in csv.text


def test_a_reported_person_is_banned_their_token_dies_and_they_leave_scan(signed_in, api, shots) -> None:
    driver = signed_in.driver
    ada, bob, cy = (register(api, name, day) for name, day in
                    (("Ada", "1990-05-15"), ("Bob", "1988-11-02"), ("Cy", "1992-02-29")))
    auth = {name: {"Authorization": f"Bearer {p['token']}"} for name, p in (("ada", ada), ("bob", bob), ("cy", cy))}

    def scan_ids(who: str) -> list[int]:
        reply = api.post("/api/v1/scan", json={"limit": 50}, headers=auth[who])
        return [p["id"] for p in reply.json()["profiles"]]

    poll(lambda: scan_ids("cy"), lambda ids: bob["user"]["id"] in ids, 20, "Bob in Cy's scan", interval=0.2)
    reported = api.post("/api/v1/reports", headers=auth["ada"], json={
        "user_id": bob["user"]["id"], "reason": "harassment", "details": "Rude in chat."})
    assert reported.status_code == 201, reported.text
    report_id = reported.json()["id"]

    signed_in.open("/admin/reports")
    assert driver.find_element(By.CSS_SELECTOR, f'tr[data-report="{report_id}"]')
    shots.take("reports")
    signed_in.open(f"/admin/reports/{report_id}")
    assert "Rude in chat." in text(driver, "main")
    assert bob["user"]["display_name"] in text(driver, "#reported-h + p")
    shots.take("report")
    signed_in.click("button.danger")
    assert "banned" in signed_in.flash()
    me = api.get("/api/v1/auth/me", headers=auth["bob"])
    assert me.status_code == 401
    poll(lambda: scan_ids("cy"), lambda ids: bob["user"]["id"] not in ids, 20, "Bob gone from Cy's scan",
         interval=0.2)
