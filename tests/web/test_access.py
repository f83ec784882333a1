"""The pages for people who do not use them with a mouse and a large screen: from the keyboard alone, with a
screen reader (what Chromium's accessibility tree names and announces), on a small screen or zoomed in, and
without colour vision. Each test checks what such a person would, in a real headless Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import SERVER_ZONE, serving

pytestmark = pytest.mark.slow
PHONE = {"width": 375, "height": 667}


def every_page(page: Any) -> list[str]:
    """Each page a listener meets: the start, an answer, the taste page, Discover, Add your export, the
    page of the import `musicflow demo` ran, and a page that is not there."""
    page.goto("/upload")
    job = str(page.locator("#jobs a").first.get_attribute("href"))
    return ["/", "/?song=Bad+Guy&artist=Billie+Eilish", "/taste", "/discover", "/upload", job, "/nowhere"]


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(base_url=server, viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def focused(page: Any) -> dict[str, str]:
    """What a screen reader says of the element with the focus: its role, name and description, as
    Chromium's accessibility tree has them, and its id."""
    cdp = page.context.new_cdp_session(page)
    element = cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})["result"]["objectId"]
    node_id = cdp.send("DOM.describeNode", {"objectId": element})["node"]["backendNodeId"]
    node = cdp.send("Accessibility.queryAXTree", {"backendNodeId": node_id})["nodes"][0]
    said = {key: str(node.get(key, {}).get("value", "")) for key in ("role", "name", "description")}
    return said | {"id": page.evaluate("document.activeElement.id")}


def ask(page: Any, song: str, artist: str) -> None:
    """Types a song and its artist and presses Enter, from the keyboard alone."""
    page.get_by_label("Song", exact=True).fill(song)
    page.get_by_label("Artist", exact=True).fill(artist)
    page.get_by_label("Artist", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def numbers(page: Any, chart: str) -> Any:
    """Opens a chart's numbers as a keyboard user does (Enter on "The numbers"); the table they hold."""
    table = page.get_by_role("table", name=chart, exact=True)
    assert not table.is_visible()  # folded until asked for
    page.locator("summary", has_text=f"The numbers: {chart}").focus()
    page.keyboard.press("Enter")
    assert table.is_visible()
    return table


def test_the_taste_charts_numbers_open_from_the_keyboard_as_tables(page: Any) -> None:
    """A screen reader hears a chart's name only, and a bar's count shows only to a mouse over it: each
    chart's numbers are a table with headers, and each table of streams adds up to the streams."""
    page.goto("/taste")
    total = int(page.locator("#total-streams").inner_text().replace(",", ""))
    for chart, first, rows in (
        ("Streams per month", "Month", None),
        (f"Streams by hour ({SERVER_ZONE})", "Hour", 24),
        (f"Streams by weekday ({SERVER_ZONE})", "Day", 7),
    ):
        table = numbers(page, chart)
        assert table.get_by_role("columnheader").all_inner_texts() == [first, "Streams"]
        counts = [int(cell.replace(",", "")) for cell in table.get_by_role("cell").all_inner_texts()]
        assert table.get_by_role("rowheader").count() == len(counts) == (rows or len(counts))
        assert sum(counts) == total, chart
    artists = numbers(page, "Your top artists by streams")
    drawn = (
        page.get_by_role("img", name="Your top artists by streams").locator("text.label").all_text_contents()
    )
    assert artists.get_by_role("rowheader").all_inner_texts() == drawn
    assert page.evaluate("document.documentElement.scrollWidth") == page.evaluate(
        "document.documentElement.clientWidth"
    )


def test_why_says_up_or_down_in_words_not_in_colour_alone(page: Any) -> None:
    page.goto("/?song=Bad+Guy&artist=Billie+Eilish")
    chart = "What moved this prediction, strongest first"
    drawn = page.get_by_role("img", name=chart).locator("text.value").all_text_contents()
    table = numbers(page, chart)
    told = table.get_by_role("cell").all_inner_texts()
    assert told == drawn and all(value[0] in "+-" for value in told), told
    assert table.get_by_role("columnheader").all_inner_texts() == ["Reason", "Moved the prediction by"]
    # this song's bars and the listener's top songs' differ by more than their hue: one is hollow
    legend = page.get_by_role("img", name="This song's sound against your most streamed songs").locator(
        "rect"
    )
    song, top = (legend.nth(i).evaluate("rect => getComputedStyle(rect).fill") for i in (0, 1))
    unfilled = ("none", "transparent", "rgba(0, 0, 0, 0)")
    assert song not in unfilled and top in unfilled, (song, top)


def test_after_predict_the_focus_is_on_the_answer_which_says_the_prediction(page: Any) -> None:
    """A screen reader is taken to the answer, not left at the top of a new page: it hears the song and
    the prediction in words; the next Tab goes on from there, and Shift+Tab back to the form."""
    page.goto("/")
    ask(page, "Bad Guy", "Billie Eilish")  # one the demo listener never played
    said = focused(page)
    streams = page.locator("#streams").inner_text()
    verdict = page.locator(".verdict-text").inner_text()
    assert (said["id"], said["role"], said["name"]) == ("answer", "region", "Bad Guy"), said
    assert said["description"] == f"{streams} predicted streams {verdict}"
    assert (
        page.locator("#answer").evaluate("a => a.getBoundingClientRect().top") < PHONE["height"]
    )  # in sight
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.textContent") == "Predict"
    ask(page, "Sugar", "maroon5")  # a typo: the guess is said first
    said = focused(page)
    assert said["id"] == "answer" and said["description"].startswith("Did you mean 'Sugar' by Maroon 5?")
    ask(page, "A Song Nobody Ever Wrote", "Nobody At All")
    said = focused(page)
    assert (said["id"], said["role"]) == ("problem", "alert"), said
    assert (
        page.locator("#problem")
        .inner_text()
        .startswith(page.get_by_role("alert").locator("strong").inner_text())
    )


def test_after_show_the_focus_is_on_the_list_shown(page: Any) -> None:
    """Discover's "Show" (the demo server has two catalogs, so the menu is there) takes a screen reader
    to the list it brought, which says what it is drawn from and how it is ranked; Shift+Tab goes back
    to "Show". Arriving from the menu of pages, the page starts at its top."""
    page.goto("/discover")
    assert page.evaluate("document.activeElement === document.body")
    for catalog, drawn_from in (("odd-titles", "the catalog odd-titles"), ("", "the catalogs ")):
        page.get_by_label("Catalog", exact=True).select_option(catalog)
        page.get_by_role("button", name="Show").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        said = focused(page)
        lead = page.locator("#picks-lead").inner_text()
        assert (said["id"], said["role"], said["name"]) == ("picks", "list", lead), said
        assert f"entries of {drawn_from}" in lead
        ranked_by = page.locator("#ranked-by")
        assert said["description"] == (ranked_by.inner_text() if ranked_by.count() else "")
        assert page.locator("#picks").evaluate("list => list.getBoundingClientRect().top") < PHONE["height"]
        page.keyboard.press("Shift+Tab")
        assert page.evaluate("document.activeElement.textContent") == "Show"
    assert said["description"]  # the list of every catalog is ranked as `recommend` says


def test_after_reset_the_focus_is_on_what_the_reset_did(page: Any) -> None:
    """The highscore's reset takes a screen reader to the words that say it happened, in sight, not to
    the top of the page; said once: the page opened again does not say it."""
    page.goto("/?song=Bad+Guy&artist=Billie+Eilish")  # one the listener never played: a score kept
    assert page.locator("#highscore li").count() == 1
    page.get_by_role("button", name="Reset the highscore").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    said = focused(page)
    assert (said["id"], said["role"]) == ("highscore-reset", "status"), said
    assert page.locator("#highscore-reset").inner_text() == "The highscore is reset."
    assert page.locator("#highscore li").count() == 0
    top = page.locator("#highscore-reset").evaluate("p => p.getBoundingClientRect().top")
    assert 0 <= top < PHONE["height"]
    page.keyboard.press("Shift+Tab")  # the form before it, then on from there
    assert page.evaluate("document.activeElement.textContent") == "Predict"
    page.reload()
    assert page.locator("#highscore-reset").count() == 0
    assert page.evaluate("document.activeElement === document.body")


def unnamed(page: Any) -> list[str]:
    """The controls, tables, images and progress bars of the page Chromium gives no name to."""
    named = {"textbox", "button", "link", "checkbox", "combobox", "progressbar", "DisclosureTriangle"}
    named |= {"table", "image", "navigation", "region"}
    nodes = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    return [
        f"{node['role']['value']} (DOM node {node.get('backendDOMNodeId')})"
        for node in nodes
        if not node.get("ignored")
        and node.get("role", {}).get("value") in named
        and not str(node.get("name", {}).get("value", "")).strip()
    ]


def test_every_control_is_named_and_glyphs_are_not_read_out(page: Any) -> None:
    """Every input, button, link, table, chart and progress bar has a name a screen reader says; a glyph
    beside words that say the same (the verdict's emoji, the logo's note) is not read out; song and
    artist are told apart in the highscore and Discover's list."""
    page.goto("/?song=Bad+Guy&artist=Billie+Eilish")
    assert page.get_by_role("link", name="MusicFlow", exact=True).count() == 1
    emoji = page.locator(".emoji").inner_text()
    assert emoji and emoji not in page.locator("#answer").aria_snapshot()
    streams = page.locator(".hs-streams").first.inner_text()
    entry = page.locator("#highscore li").first.aria_snapshot()
    assert entry == f"- listitem: Bad Guy by Billie Eilish {streams} predicted streams"
    for path in every_page(page):
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert unnamed(page) == [], path
    page.goto("/discover")
    first = page.locator("#picks .pick-head").first
    song, artist = first.locator(".pick-song").inner_text(), first.locator(".pick-artist").inner_text()
    assert first.aria_snapshot().startswith(f"- text: {song} by {artist} ")


def dialogs_of(page: Any) -> list[str]:
    """The messages of the modal dialogs (alert, confirm, prompt) the page opens from now on, each
    dismissed: a page that answers on the page itself opens none."""
    opened: list[str] = []

    def dismiss(dialog: Any) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def lines(element: Any) -> list[str]:
    """The lines of text an element shows, blank ones left out."""
    return [line for line in element.inner_text().splitlines() if line.strip()]


def send(page: Any, export: Path) -> None:
    """Chooses the export and presses Enter on "Send", from the keyboard."""
    page.get_by_label("Your export").set_input_files(str(export))
    page.get_by_role("button", name="Send").focus()
    page.keyboard.press("Enter")


def test_an_upload_cut_off_is_said_on_the_page_with_the_focus_and_can_be_sent_again(
    browser: Any, demo_dir: Path, tmp_path: Path
) -> None:
    """The connection breaks while the export is sent: no modal alert, but a message above the form in the
    page's words, as a refusal is shown, with the focus on it; the form is as before, and sending again
    once the network is back goes through. (A server of its own: the export sent makes a job.)"""
    data_dir = tmp_path / "copy"
    shutil.copytree(demo_dir, data_dir)
    export = tmp_path / "endsong_0.json"
    export.write_text("[]", encoding="utf-8")
    with serving(data_dir, MUSICFLOW_RETRAIN_EVERY_HOURS="0") as base:
        context = browser.new_context(base_url=base, viewport=PHONE)
        try:
            page = context.new_page()
            dialogs = dialogs_of(page)
            held: list[Any] = []
            page.route(
                "**/upload*",
                lambda route: held.append(route) if route.request.method == "POST" else route.fallback(),
            )
            page.goto("/upload")
            send(page, export)
            assert page.get_by_role("progressbar", name="Sending your export…").is_visible()
            assert page.get_by_role("status").filter(has_text="Sending your export…").count() == 1
            held[0].abort("connectionreset")  # the browser's connection breaks before any answer
            page.locator("#problem").wait_for()  # shown and focused at once
            said = focused(page)
            assert said["role"] == "alert", said
            message = page.get_by_role("alert")
            assert message.is_visible() and message.evaluate("m => m.getBoundingClientRect().top") >= 0
            assert lines(message) == [
                "The connection to MusicFlow broke before it answered: the export may not have arrived.",
                "What would help: check your connection, then send it again (an export that did arrive is not"
                " taken in twice).",
            ]
            assert message.evaluate("m => m.nextElementSibling.id") == "upload-form"  # where a refusal shows
            assert page.get_by_role("button", name="Send").is_enabled()
            assert not page.get_by_role("progressbar").is_visible()
            assert page.locator("#upload-status").inner_text() == ""
            assert page.get_by_label("Your export").evaluate("field => field.files[0].name") == export.name
            page.unroute("**/upload*")  # the network is back: Send again, the file still chosen
            page.get_by_role("button", name="Send").focus()
            with page.expect_navigation(url=re.compile(r"/upload/[0-9a-f]{32}")):
                page.keyboard.press("Enter")
            # the export's page answers with where it stands: the stage while it runs, else the end
            state, focus = page.evaluate(
                "[document.getElementById('job').dataset.state,"
                " document.activeElement.id || document.activeElement.getAttribute('role')]"
            )
            ends = {"queued": "job-stage", "running": "job-stage", "done": "job-result", "failed": "alert"}
            assert focus == ends[state], (state, focus)
            assert dialogs == []
        finally:
            context.close()


def test_an_upload_refused_without_a_reason_or_with_one_is_said_with_the_focus(
    page: Any, tmp_path: Path
) -> None:
    """A proxy in front of MusicFlow refuses a large upload with a page of its own, which says nothing
    MusicFlow wrote: the page says so with the status, the focus on it; sent again, MusicFlow's own
    refusal takes its place (one message, never two)."""
    dialogs = dialogs_of(page)
    proxy = "<html><head><title>413 Request Entity Too Large</title></head><body><h1>413</h1></body></html>"
    page.route(
        "**/upload*",
        lambda route: (
            route.fulfill(status=413, content_type="text/html", body=proxy)
            if route.request.method == "POST"
            else route.fallback()
        ),
    )
    export = tmp_path / "endsong_0.json"
    export.write_text("[]", encoding="utf-8")
    page.goto("/upload")
    send(page, export)
    page.locator("#problem").wait_for()  # shown and focused at once
    assert focused(page)["role"] == "alert"
    assert lines(page.get_by_role("alert")) == [
        "The upload was refused (HTTP 413), and the answer did not say why.",
        "What would help: send it again; if it is refused again, ask whoever runs this MusicFlow.",
    ]
    assert page.get_by_role("button", name="Send").is_enabled()
    page.unroute("**/upload*")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    send(page, notes)  # MusicFlow refuses it, in its own words
    page.get_by_role("alert").filter(has_text="not a Spotify export").wait_for()
    assert focused(page)["id"] == "problem"
    assert page.get_by_role("alert").count() == 1
    assert dialogs == []


def test_without_script_the_pages_still_answer_and_take_the_focus_to_it(
    browser: Any, server: str, tmp_path: Path
) -> None:
    """No script runs (a browser that blocks it, a reader mode): a song is still answered and the answer
    focused, a chart's numbers still open, and a refused upload says why with the focus on it."""
    context = browser.new_context(base_url=server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        ask(page, "Bad Guy", "Billie Eilish")
        assert focused(page)["id"] == "answer"
        numbers(page, "What moved this prediction, strongest first")
        notes = tmp_path / "notes.txt"
        notes.write_text("hello", encoding="utf-8")
        page.goto("/upload")
        page.get_by_label("Your export").set_input_files(str(notes))
        page.get_by_role("button", name="Send").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        said = focused(page)
        assert (said["id"], said["role"]) == ("problem", "alert")
        assert "not a Spotify export" in page.locator("#problem").inner_text()
    finally:
        context.close()


def test_with_reduced_motion_a_progress_of_unknown_length_stands_still(browser: Any, server: str) -> None:
    def frames(motion: str) -> int:
        context = browser.new_context(base_url=server, reduced_motion=motion)
        page = context.new_page()
        page.goto("/upload")
        bar = page.locator("#upload-progress")
        bar.evaluate("bar => { bar.hidden = false; bar.removeAttribute('value'); }")  # a job waiting its turn
        shots = set()
        for _ in range(4):
            shots.add(bar.screenshot(animations="allow"))
            page.wait_for_timeout(150)
        context.close()
        return len(shots)

    assert frames("no-preference") > 1  # it does move otherwise: the check can see it
    assert frames("reduce") == 1


CONTRAST = (Path(__file__).parent / "contrast.js").read_text(encoding="utf-8")


def test_text_and_the_edges_of_fields_stand_out_from_their_background(page: Any) -> None:
    """Text has at least 4.5:1 contrast with what is behind it (WCAG AA), chart labels too, and a field
    or a button has an edge of at least 3:1, so a person with low vision sees where to type and what to
    press, in the page's colours and in a high contrast theme that forces its own."""
    for path in ("/?song=Bad+Guy&artist=Billie+Eilish", "/?song=Nothing+Here&artist=Nobody+At+All", "/taste"):
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate(CONTRAST) == [], path
    for path in ("/discover", "/upload", "/nowhere"):
        page.goto(path)
        assert page.evaluate(CONTRAST) == [], path
    page.emulate_media(forced_colors="active", color_scheme="dark")  # a high contrast theme: colours forced
    for path in ("/", "/upload"):
        page.goto(path)
        assert page.evaluate(CONTRAST) == [], path  # a button keeps an edge where no colour is its own


OUT_OF_VIEW = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 0.5)
    .map((e) => `${e.tagName}#${e.id}.${e.getAttribute("class")}`);
}"""


@pytest.mark.parametrize(
    ("viewport", "zoom"), [(PHONE, 1), ({"width": 640, "height": 450}, 2)], ids=["375px", "200%"]
)
def test_nothing_is_cut_on_a_phone_or_zoomed_to_200_percent(
    browser: Any, server: str, viewport: dict[str, int], zoom: int
) -> None:
    """At 375 px, and a 1280 px window zoomed to 200 % (640 CSS px at two device pixels each), no page
    scrolls sideways and nothing reaches past the right edge, the charts' tables opened."""
    context = browser.new_context(base_url=server, viewport=viewport, device_scale_factor=zoom)
    page = context.new_page()
    try:
        page.goto("/upload")
        job = page.locator("#jobs a").first.get_attribute("href")
        for path in ("/?song=Bad+Guy&artist=Billie+Eilish", "/taste", "/discover", "/upload", job):
            page.goto(path)
            page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"], path
            assert page.evaluate(OUT_OF_VIEW) == [], path
    finally:
        context.close()


def test_each_page_says_what_it_is_in_its_title_and_its_headings(page: Any) -> None:
    """A screen reader starts a page with its title and finds its way by headings: each page has a title
    of its own, one h1, no heading level skipped, and says it is in English."""
    titles = {}
    pages = every_page(page)
    job = pages[-2]
    for path in pages:
        page.goto(path)
        titles[path] = page.title()
        assert page.locator("html").get_attribute("lang") == "en"
        levels = [
            int(tag[1]) for tag in page.locator("h1, h2, h3, h4").evaluate_all("hs => hs.map(h => h.tagName)")
        ]
        assert levels[0] == 1 and levels.count(1) == 1, (path, levels)
        assert all(b - a <= 1 for a, b in pairwise(levels)), (path, levels)
    assert len(set(titles.values())) == len(titles), titles
    assert titles[job] == "Done · Add your export · MusicFlow"  # the import `musicflow demo` ran
    assert titles["/?song=Bad+Guy&artist=Billie+Eilish"] == "Bad Guy · Try a song · MusicFlow"


def test_the_skip_link_takes_the_focus_into_the_content(page: Any) -> None:
    """ "Skip to the content", the first stop of the keyboard, puts the focus in the content itself, so
    that the next Tab reaches the page's first field and a screen reader reads on from there."""
    page.goto("/")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate("document.activeElement.id") == "song"
