import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_signs_a_user_in_and_out(page, login, screenshot):
    from tests.factories import UserFactory

    UserFactory(username="charlie")  # no role: lands on the "no role yet" page
    page.goto("/accounts/login/")
    screenshot("login")
    login("charlie")
    assert "You have no role yet" in page.content()
    page.click("text=Sign out")
    page.wait_for_url("**/accounts/login/")


def test_login_page_refuses_a_wrong_password(page, login):
    from tests.factories import UserFactory

    UserFactory(username="charlie")
    login("charlie", password="wrong")
    assert page.locator("[role=alert]").is_visible()
