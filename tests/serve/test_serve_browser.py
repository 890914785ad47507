"""A real browser: Debian's headless Chromium, driven by selenium through Debian's chromedriver.

It loads ``/``, searches, opens a product and checks what is shown; hostile spec text must show
as text and run nothing. ``.ci/run`` installs ``chromium chromium-driver`` with apt-get; without
them the test skips with the command to run, except in CI (``CI=true``), where it fails.
``UPDATE_SCREENSHOT=1`` also writes docs/catalog-product.png (the README's picture).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from servetree import HOSTILE, REPO, LiveServer, catalog_of, example_catalog, hostile_tree

from datamesh.catalog import catalog_json, dumps

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOT = REPO / "docs" / "catalog-product.png"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1600"]


def require_browser() -> tuple[str, str]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        message = "Chromium and chromedriver are not installed: apt-get install -y chromium chromium-driver"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (.ci/run installs them; in CI the browser test never skips)")
        pytest.skip(message)
    return CHROMIUM, CHROMEDRIVER


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium, chromedriver = require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="mesh-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def serve(tmp_path: Path, catalog_bytes: bytes) -> LiveServer:
    path = tmp_path / "catalog.json"
    path.write_bytes(catalog_bytes)
    server = LiveServer("--catalog", str(path), "--today", "2026-11-25")
    server.wait_ready()
    return server


def test_search_and_open_a_product(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    driver: object = browser
    server = serve(tmp_path, dumps(catalog_json(example_catalog())))
    try:
        driver.get(server.url + "/")  # type: ignore[attr-defined]
        find = driver.find_element  # type: ignore[attr-defined]
        assert find(By.ID, "count").text == "12 products"
        box = find(By.NAME, "q")
        box.send_keys("raw play")
        find(By.CSS_SELECTOR, "form.search button").click()
        # A click starts the navigation without waiting for it: wait for the results page, or the
        # old page's count may be read.
        WebDriverWait(driver, 20).until(lambda d: "q=raw+play" in d.current_url  # type: ignore[attr-defined]
                                        and d.find_element(By.ID, "count").text != "12 products")
        assert find(By.ID, "count").text == "1 product matches"
        links = driver.find_elements(By.CSS_SELECTOR, "a.product")  # type: ignore[attr-defined]
        assert [a.text for a in links] == ["player/play-events"]
        links[0].click()
        WebDriverWait(driver, 20).until(lambda d: d.current_url.endswith("/ui/products/player/play-events"))  # type: ignore[attr-defined]
        assert driver.current_url == server.url + "/ui/products/player/play-events"  # type: ignore[attr-defined]
        assert find(By.ID, "product-id").text == "player/play-events"
        assert find(By.ID, "retention").text == "400 days, archived after 90 days; old versions kept 30 days"
        assert find(By.ID, "owner").text == "Player · player-data@daff.example · @daff/player"
        snippet = find(By.CSS_SELECTOR, "#access pre code").text
        assert snippet == "inputs:\n  - product: player/play-events\n    purpose: <why your product reads it>"
        readers = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#readers tbody tr td:first-child")]  # type: ignore[attr-defined]
        assert readers == ["artist-payments", "artists", "playlist"]
        png = tmp_path / "product.png"
        assert driver.save_screenshot(str(png))  # type: ignore[attr-defined]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
        if os.environ.get("UPDATE_SCREENSHOT") == "1":
            shutil.copyfile(png, SCREENSHOT)
    finally:
        server.stop()


def test_hostile_text_shows_as_text_and_runs_nothing(browser: object, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    driver: object = browser
    server = serve(tmp_path, dumps(catalog_json(catalog_of(hostile_tree(tmp_path / "domains")))))
    try:
        for path in ("/ui/products/alpha/events", "/", "/ui/domains/alpha", "/ui/lineage"):
            driver.get(server.url + path)  # type: ignore[attr-defined]
            # An alert() that ran would leave a dialog open: any further command raises.
            if path == "/ui/lineage":  # in the SVG: the product's link label
                labels = [a.get_attribute("aria-label")
                          for a in driver.find_elements(By.CSS_SELECTOR, "#graph a")]  # type: ignore[attr-defined]
                assert HOSTILE in labels, labels
            else:
                assert HOSTILE in driver.find_element(By.TAG_NAME, "body").text, path  # type: ignore[attr-defined]
            assert driver.find_elements(By.CSS_SELECTOR, "main script, main img") == []  # type: ignore[attr-defined]
        driver.get(server.url + "/ui/products/alpha/events")  # type: ignore[attr-defined]
        assert driver.find_element(By.ID, "description").text == HOSTILE  # type: ignore[attr-defined]
    finally:
        server.stop()
