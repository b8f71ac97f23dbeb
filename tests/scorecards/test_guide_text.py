"""The kit's markdown filter: the guide's marks become HTML, and nothing an admin types can run in a reader's page."""

from __future__ import annotations

from scorecards.templatetags.guide_text import guide_markdown, guide_plain


def test_lists_emphasis_and_line_breaks_become_html():
    assert guide_markdown("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    assert guide_markdown("Admits it\nWants data") == "<p>Admits it<br>\nWants data</p>"
    assert guide_markdown("**SHUT UP.**") == "<p><strong>SHUT UP.</strong></p>"


def test_scripts_handlers_and_javascript_links_are_removed():
    html = guide_markdown('<script>alert(1)</script><b onclick="x()">bold</b> [link](javascript:alert(1)) <img src=x>')
    assert "script" not in html and "onclick" not in html and "javascript" not in html and "<img" not in html
    assert "bold" in html and "link" in html


def test_the_plain_summary_keeps_the_words_without_the_marks():
    assert guide_plain("- They jumped\n- They assumed") == "They jumped; They assumed"
    assert guide_plain("") == "" and guide_markdown(None) == ""
