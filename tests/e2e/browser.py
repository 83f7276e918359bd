"""Headless Chromium for the console's browser tests: Debian's ``chromium`` and ``chromium-driver``
(installed by ``make setup``, scripts/prepare-system-packages), driven by Selenium; nothing is downloaded at run time
(Selenium Manager stays offline: both paths are given)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")
LAPTOP, PHONE = (1280, 900), (390, 844)
# Every visible form control must have a name a screen reader reads: a <label for>, a wrapping label,
# aria-label or aria-labelledby; submit buttons need text.
UNLABELLED = """
return [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')].filter(el => {
  if (el.tagName === 'BUTTON') return !el.textContent.trim() && !el.getAttribute('aria-label');
  return !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby');
}).map(el => el.outerHTML);
"""


def chromium() -> webdriver.Chrome:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    assert not missing, (f"missing {missing}: run `make setup` "
                         "(scripts/prepare-system-packages installs chromium and chromium-driver)")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a browser or driver
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='numeros-chromium-')}")
    return webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)


class Screenshots:
    """Each page as the tests see it; into docs/admin/ when NUMEROS_SCREENSHOTS=docs (docs/admin.md shows
    them), else into a temporary folder."""

    def __init__(self, driver: webdriver.Chrome, folder: Path) -> None:
        self.driver, self.folder = driver, folder
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str, size: tuple[int, int] = LAPTOP) -> Path:
        self.driver.set_window_size(*size)
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        self.driver.set_window_size(size[0], max(size[1], min(int(height), 3000)))
        path = self.folder / f"{name}.png"
        self.driver.save_screenshot(str(path))
        self.driver.set_window_size(*LAPTOP)
        return path


def unlabelled_controls(driver: webdriver.Chrome) -> list[str]:
    return driver.execute_script(UNLABELLED)


def text(driver: webdriver.Chrome, css: str) -> str:
    return driver.find_element(By.CSS_SELECTOR, css).text
